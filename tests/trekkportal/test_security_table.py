"""docs/security.md names, beside each promise of SECURITY.md, the tests that hold it. A test
renamed, moved or deleted would leave a promise with a name that proves nothing: this keeps
the table true."""

import importlib
import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
TABLE = BASE_DIR / "docs" / "security.md"
NODE_ID = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def promise_rows():
    """(promise, node ids) for every row of the tables, header and ruler left out."""
    rows = []
    for line in TABLE.read_text().splitlines():
        if not line.startswith("|") or line.startswith(("| Promise |", "|---")):
            continue
        promise, tests, _notes = (cell.strip() for cell in line.strip("|").split(" | "))
        rows.append((promise, NODE_ID.findall(tests)))
    return rows


def named_tests():
    return sorted({node for _, nodes in promise_rows() for node in nodes})


def test_the_table_has_its_promises_and_each_names_a_test():
    rows = promise_rows()
    assert len(rows) >= 50
    assert [promise for promise, nodes in rows if not nodes] == []


def test_every_test_the_table_names_exists():
    missing = []
    for path, name in named_tests():
        if not (BASE_DIR / path).is_file():
            missing.append(f"{path} (no such file)")
            continue
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        if not callable(getattr(module, name, None)):
            missing.append(f"{path}::{name}")
    assert missing == []

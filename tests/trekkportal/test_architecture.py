"""The shape of the code: no module imports back from one that imports it, and deductions/ is
split into packages rather than file-name prefixes.

The import graph is read from the source with `ast`, without importing anything. Every import
counts, also one inside a function: a late import that breaks a loop at run time still makes
the two modules depend on each other. A package's `__init__.py` that hands names on is looked
through: `from accounts.models import AuditEvent` depends on `accounts.models.audit`.
"""

import ast
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["accounts", "employers", "deductions", "messaging", "trekkportal", "bench"]
SKIPPED = {"migrations", "__pycache__"}
PACKAGE_PREFIXES = ("list_", "basis_", "cycle_")


def module_files():
    files = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if SKIPPED & set(relative.parts):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            files[".".join(parts)] = path
    return files


def imported_from(module, node, is_package):
    """The absolute module name of an `ImportFrom`, relative imports resolved."""
    if not node.level:
        return node.module
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def handed_on(files, trees):
    """For each package: the names its __init__ imports -> the module that defines them."""
    names = {}
    for module, path in files.items():
        if path.name != "__init__.py":
            continue
        for node in ast.walk(trees[module]):
            if isinstance(node, ast.ImportFrom):
                source = imported_from(module, node, is_package=True)
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    target = submodule if submodule in files else source
                    names[module, alias.asname or alias.name] = target
    return names


def import_graph():
    """module -> the project's modules it imports."""
    files = module_files()
    trees = {module: ast.parse(path.read_text(encoding="utf-8")) for module, path in files.items()}
    via_init = handed_on(files, trees)
    graph = {module: set() for module in files}
    for module, path in files.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(trees[module]):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                source = imported_from(module, node, is_package)
                targets = [
                    f"{source}.{alias.name}"
                    if f"{source}.{alias.name}" in files
                    else via_init.get((source, alias.name), source)
                    for alias in node.names
                ]
            else:
                continue
            for target in targets:
                while target and target not in files:  # `a.b.name` -> module `a.b`
                    target = target.rpartition(".")[0]
                # A package importing its own modules is how it hands them on, not a dependency.
                if is_package and target.startswith(module + "."):
                    continue
                if target and target != module:
                    graph[module].add(target)
    return graph


def cycles(graph):
    """One import loop per group of modules that reach each other, as a list of modules."""
    found, seen = [], set()
    for start in sorted(graph):
        if start in seen:
            continue
        # Breadth-first from `start`: the shortest way back to it, if there is one.
        came_from, queue = {}, deque([start])
        while queue:
            module = queue.popleft()
            for target in sorted(graph[module]):
                if target == start:
                    loop = [module]
                    while loop[-1] != start:
                        loop.append(came_from[loop[-1]])
                    loop.reverse()
                    found.append([*loop, start])
                    seen.update(loop)
                    queue.clear()
                    break
                if target not in came_from:
                    came_from[target] = module
                    queue.append(target)
    return found


def test_the_graph_sees_imports_through_a_packages_init():
    graph = import_graph()

    assert "accounts.models.audit" in graph["deductions.lists.views"]
    assert "accounts.models" not in graph["deductions.lists.views"]
    assert "deductions.lists.services" in graph["deductions.lists.views"]


def test_the_cycle_finder_reports_the_loop():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert cycles(graph) == [["a", "b", "c", "a"]]


def test_no_module_imports_back_from_one_that_imports_it():
    loops = cycles(import_graph())

    assert not loops, "Import cycles:\n" + "\n".join(" -> ".join(loop) for loop in loops)


def test_no_file_in_deductions_is_named_with_a_packages_prefix():
    prefixed = sorted(
        path.name
        for path in (ROOT / "deductions").glob("*.py")
        if path.name.startswith(PACKAGE_PREFIXES)
    )

    assert not prefixed, f"Make these modules of a package in deductions/: {prefixed}"

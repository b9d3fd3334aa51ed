"""Our basis PDF against plain WeasyPrint on the same rows, without a database.

    .venv/bin/python bench/pdf.py [--sizes 100 1000 5000] [--repeats 1] [--profile N]

Builds the rows of a full basis in memory, then for each size renders (a) our PDF as the
portal makes it (`render_pdf`: template, `basis_pdf.css` through the static-only fetcher) and
(b) a plain WeasyPrint table of the same cells (one f-string, no stylesheet), in the same
process, after a 50-row warm-up. Seconds are CPU seconds of this process (the machine is shared,
so wall time says more about the neighbours than about us). Prints seconds, ms a row, pages and
our time over the plain one. `--profile N` prints cProfile's top functions for our PDF at N
rows instead.
"""

import argparse
import cProfile
import html
import io
import os
import pstats
import sys
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trekkportal.settings")

import django  # noqa: E402

django.setup()

from pypdf import PdfReader  # noqa: E402
from weasyprint import HTML  # noqa: E402

from deductions.basis.exports import FULL, FULL_HEADER, VIEWS, Table  # noqa: E402
from deductions.period import Period  # noqa: E402
from trekkportal.pdf import render_pdf  # noqa: E402

DUES = "1,1 % av pensjonsgivende inntekt"
ZERO = Decimal("0.00")


def rows(count):
    """`count` rows shaped as `exports.basis_table` makes them for the full view."""
    home, travel = Decimal("98.00"), Decimal("41.50")
    return [
        [
            100000 + i,
            f"Nordmann{i:05d} Kari Marie",
            f"{10000000000 + i * 7919:011d}",
            f"A{i:06d}",
            "Ordinær",
            DUES,
            home if i % 3 else ZERO,
            travel if i % 4 else ZERO,
            ZERO,
            (home if i % 3 else ZERO) + (travel if i % 4 else ZERO),
        ]
        for i in range(count)
    ]


def ours(data):
    basis = SimpleNamespace(
        period=Period(2036, 12),
        employer=SimpleNamespace(name="Statens benchmarketat", number="974760673"),
        kid="0974760673123",
        published_at=None,
        dues_text=DUES,
        line_count=len(data),
        change_count=0,
    )
    total = ["", f"Sum ({len(data)} på trekk)", "", "", "", ""] + [
        sum(row[k] for row in data) for k in range(6, 10)
    ]
    table = Table(f"{VIEWS[FULL]} {basis.period}", FULL_HEADER, data, total)
    context = {"basis": basis, "table": table, "view": FULL, "view_title": VIEWS[FULL]}
    return render_pdf("deductions/basis_pdf.html", context)


def plain(data):
    """As `bench/tasks.py pdf-baseline`: the cells in a bare table, WeasyPrint's defaults."""
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in data
    )
    document = f"<!doctype html><meta charset=utf-8><table>{cells}</table>"
    return HTML(string=document).write_pdf()


def timed(function, data, repeats):
    function(data[:50])  # warm: fonts and caches, so the first size pays no start-up
    best = None
    for _ in range(repeats):
        started = time.process_time()
        content = function(data)
        seconds = time.process_time() - started
        best = seconds if best is None else min(best, seconds)
    return best, len(PdfReader(io.BytesIO(content)).pages)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeats", type=int, default=1, help="Timed runs; the best counts.")
    parser.add_argument("--profile", type=int, metavar="N")
    args = parser.parse_args()
    if args.profile:
        data = rows(args.profile)
        ours(data)
        profile = cProfile.Profile()
        profile.runcall(ours, data)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    print("| lines | ours s | ours ms/row | pages | plain s | plain ms/row | pages | ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in args.sizes:
        data = rows(size)
        our_seconds, our_pages = timed(ours, data, args.repeats)
        plain_seconds, plain_pages = timed(plain, data, args.repeats)
        print(
            f"| {size:,} | {our_seconds:.2f} | {our_seconds / size * 1000:.2f} | {our_pages} "
            f"| {plain_seconds:.2f} | {plain_seconds / size * 1000:.2f} | {plain_pages} "
            f"| {our_seconds / plain_seconds:.2f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()

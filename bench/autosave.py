"""Benchmark (not a test): the list form's autosave (deductions:list_autosave) at 100, 2,000
and 5,000 lines: the time the server takes to answer one background save of 1 line and of 200
lines (a pasted column), the whole request through the test client (middleware, session, the
lock, the lines written, the list recounted, the audit row).

    .venv/bin/python bench/autosave.py
    .venv/bin/python bench/autosave.py --sizes 5000 --repeats 21

Makes its own data as bench/list_form.py does (a fresh SQLite file in a temporary folder,
production settings of bench/run.py). The median of `--repeats` saves, each changing the
amounts it sends (so every save writes). The machine is shared: the figures are of one run.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.list_form import make_lists  # noqa: E402
from bench.run import PYTHON, measured, production_env  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 2000, 5000])
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-autosave-") as folder:
        env = production_env(f"sqlite:///{folder}/bench.sqlite3")
        env.update(STATIC_ROOT=f"{folder}/static", MEDIA_ROOT=f"{folder}/media")
        os.environ.update(env)
        measured([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env, capture=False)

        import django

        django.setup()
        lists = make_lists(args.sizes)
        print("| lines on the list | 1 line saved | 200 lines saved |")
        print("| ---: | ---: | ---: |")
        for size, (edit_path, cookie) in lists.items():
            one = time_saves(edit_path, cookie, lines=1, repeats=args.repeats)
            many = time_saves(edit_path, cookie, lines=min(200, size), repeats=args.repeats)
            print(f"| {size:,} | {one:.0f} ms | {many:.0f} ms |")


def time_saves(edit_path, cookie, *, lines, repeats):
    from django.conf import settings
    from django.test import Client

    from deductions.models import DeductionList

    public_id = edit_path.rstrip("/").split("/")[-2]
    deduction_list = DeductionList.objects.get(public_id=public_id)
    url = edit_path.replace("/rediger/", "/autolagre/")
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    client.post(url, {})  # the role is chosen (the one there is) and the session warm
    positions = list(deduction_list.lines.order_by("position").values_list("position", flat=True))
    times = []
    for repeat in range(repeats):
        data = {}
        start = min(len(positions) // 3, len(positions) - lines)  # from a third down the list
        for position in positions[start : start + lines]:
            data[f"l-{position}-dues"] = f"{100 + repeat},50"
        began = time.perf_counter()
        response = client.post(url, data)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.content
        assert response.json()["saved"] == lines, response.json()
    return statistics.median(times)


if __name__ == "__main__":
    main()

"""Benchmark (not a test): the list form in Chromium at 100, 2,000 and 5,000 lines
(docs/performance.md, «Trekklisteskjemaet i nettleseren»; issue 10).

    .venv/bin/python bench/list_form.py                       # 100, 2,000 and 5,000 lines
    .venv/bin/python bench/list_form.py --sizes 5000 --loads 5 --keys 20

Makes its own data in a fresh SQLite file in a temporary folder (an employer per size, its
members on deduction, the month published and the list started and prefilled, as «Registrer
trekkliste i nettskjema» does), and serves it with `manage.py runserver` in a subprocess under
the production settings of `bench/run.py` (DEBUG off, static files collected and served by
WhiteNoise). Chromium (/usr/bin/chromium, headless, through Playwright) opens the form, logged in
by a session cookie, and reports:

- load: the HTML received (`responseEnd`), DOMContentLoaded, and the script's own ready mark
  (`performance.mark("list-form-ready")` in static/js/deduction_list.js: totals counted,
  listeners on), each from the start of navigation, and the script's own time (from its
  `list-form-start` mark to ready); the median of `--loads` loads;
- keystroke to total: digits typed into the dues of a line in the middle of the page shown (the
  form shows `LIST_FORM_PAGE_SIZE` lines a page, 200 by default; the list total still counts the
  whole list), on the page holding line 500 at most (as the issue measured), from the keydown
  event's time stamp to the moment the list total's text changed (a MutationObserver in the
  page, `performance.now()`), and to the next animation frame after it (the change on its way to
  the screen); the median of `--keys`.
- page change: a click on «Neste» until the next page's rows are in (the rows fetched and swapped
  by the script, nothing typed); the median of `--loads`.

The machine is shared: the figures are of one run, with whatever else was running.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import PYTHON, measured, production_env  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
TARGET_KEY_MS = 50
TARGET_READY_MS = 1500
OBSERVE = """() => {
    window.benchLatencies = [];
    let pressed = null;
    document.addEventListener("keydown", (event) => { pressed = event.timeStamp; }, true);
    const total = document.querySelector("[data-list-total]");
    new MutationObserver(() => {
        if (pressed === null) return;
        const changed = performance.now(), started = pressed;
        pressed = null;
        requestAnimationFrame(() => {
            window.benchLatencies.push([changed - started, performance.now() - started]);
        });
    }).observe(total, {childList: true, characterData: true, subtree: true});
}"""
TIMINGS = """() => {
    const navigation = performance.getEntriesByType("navigation")[0];
    const ready = performance.getEntriesByName("list-form-ready")[0];
    const start = performance.getEntriesByName("list-form-start")[0];
    return [navigation.responseEnd, navigation.domContentLoadedEventEnd,
            ready.startTime, document.querySelectorAll("input").length,
            navigation.transferSize, ready.startTime - start.startTime];
}"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 2000, 5000])
    parser.add_argument("--loads", type=int, default=5, help="page loads per size")
    parser.add_argument("--keys", type=int, default=12, help="keystrokes per size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-list-form-") as folder:
        env = production_env(f"sqlite:///{folder}/bench.sqlite3")
        env.update(STATIC_ROOT=f"{folder}/static", MEDIA_ROOT=f"{folder}/media")
        os.environ.update(env)
        measured([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env, capture=False)
        measured([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env, capture=False)

        import django

        django.setup()
        lists = make_lists(args.sizes)
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 (our own command)
            [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/logg-inn/")
            rows = measure(f"http://127.0.0.1:{port}", lists, args)
        finally:
            server.terminate()
            server.wait()
    print_table(rows)


def make_lists(sizes):
    """An employer per size with that many members on deduction (every other with home
    insurance), the month published and each employer's list started by its own contact;
    returns {size: (the list's edit path, a session cookie of the contact)}."""
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Role, User
    from deductions.basis.services import basis_generate
    from deductions.lists.services import list_start
    from deductions.models import Basis, Deduction, Member, Rate
    from deductions.national_ids import synthetic_national_id
    from deductions.period import Period
    from employers.models import Employer

    period = Period(2021, 1)
    Rate.objects.create(
        valid_from=Period(2020, 1),
        dues_percent="1.10",
        home_insurance="85.00",
        travel_insurance="91.00",
        apprentice_total="42.00",
    )
    employers = {}
    for size in sizes:
        employer = Employer.objects.create(
            number=f"{90000000 + size}", name=f"Arbeidsgiver med {size}", city="OSLO"
        )
        first = Member.objects.count()
        members = Member.objects.bulk_create(
            Member(
                number=f"{500000 + first + n}",
                name=f"Medlem {size} {n:05d}",
                national_id=synthetic_national_id(first + n + 20000),
            )
            for n in range(size)
        )
        Deduction.objects.bulk_create(
            Deduction(member=m, employer=employer, first_period=period, home_insurance=n % 2 == 0)
            for n, m in enumerate(members)
        )
        employers[size] = employer
    basis_generate(period=period)
    lists = {}
    for size, employer in employers.items():
        user = User.objects.create_user(username=f"{20000000 + size}", full_name=f"Kontakt {size}")
        Role.objects.create(user=user, employer=employer)
        basis = Basis.objects.get(employer=employer, period=period)
        deduction_list = list_start(basis=basis, actor=user)
        assert deduction_list.lines.count() == size
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings().SESSION_COOKIE_NAME].value
        lists[size] = reverse("deductions:list_edit", args=[deduction_list.public_id]), cookie
    return lists


def django_settings():
    from django.conf import settings

    return settings


def measure(base_url, lists, args):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    rows = []
    page_size = django_settings().LIST_FORM_PAGE_SIZE
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        for size, (path, cookie) in lists.items():
            context = browser.new_context(base_url=base_url, locale="nb-NO")
            name = django_settings().SESSION_COOKIE_NAME
            context.add_cookies([{"name": name, "value": cookie, "url": base_url}])
            page = context.new_page()
            page.goto(path)  # once to warm the server and the browser's cache of static files
            loads = []
            for _ in range(args.loads):
                page.goto(path, wait_until="load")
                page.wait_for_function(
                    "() => performance.getEntriesByName('list-form-ready').length"
                )
                loads.append(page.evaluate(TIMINGS))
            changes = []
            for _ in range(args.loads):
                if size <= page_size:
                    break
                page.goto(path, wait_until="load")
                page.wait_for_function("() => window.trekkList !== undefined")
                started = time.perf_counter()
                page.get_by_role("link", name="Neste").first.click()
                page.wait_for_function(
                    "(n) => document.querySelector(`[name=l-${n}-dues]`) !== null", arg=page_size
                )
                changes.append((time.perf_counter() - started) * 1000)
            line = min(500, size // 2)
            side = line // page_size + 1
            line = (side - 1) * page_size + min(page_size // 2, size - (side - 1) * page_size - 1)
            page.goto(f"{path}?side={side}" if side > 1 else path, wait_until="load")
            page.wait_for_function("() => window.trekkList !== undefined")
            page.evaluate(OBSERVE)
            dues = page.locator(f"[name='l-{line}-dues']")
            dues.scroll_into_view_if_needed()
            dues.click()
            for key in range(args.keys):
                if key and key % 6 == 0:  # amounts of 6 digits: past the script's limit a
                    dues.fill("")  # longer one counts as 0 and the total stops moving
                    time.sleep(0.05)
                page.keyboard.press(str(key % 9 + 1))
                page.wait_for_function("(n) => window.benchLatencies.length > n", arg=key)
                time.sleep(0.05)
            latencies = page.evaluate("window.benchLatencies")
            context.close()
            rows.append(
                {
                    "size": size,
                    "line": line,
                    "inputs": loads[0][3],
                    "megabytes": loads[0][4] / 1e6,
                    "html": statistics.median(load[0] for load in loads),
                    "dcl": statistics.median(load[1] for load in loads),
                    "ready": statistics.median(load[2] for load in loads),
                    "script": statistics.median(load[5] for load in loads),
                    "changed": statistics.median(latency[0] for latency in latencies),
                    "changed_max": max(latency[0] for latency in latencies),
                    "frame": statistics.median(latency[1] for latency in latencies),
                    "page_change": statistics.median(changes) if changes else None,
                }
            )
            print(f"{size} lines measured", file=sys.stderr)
        browser.close()
    return rows


def print_table(rows):
    print(
        "| lines | inputs | HTML | HTML received | DOMContentLoaded "
        "| script ready (its own time) | keystroke to total: median (max) "
        "| to the next frame | page change | targets met |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        change = f"{row['page_change']:.0f} ms" if row["page_change"] is not None else "-"
        met = row["changed"] <= TARGET_KEY_MS and (
            row["size"] < 5000 or row["ready"] <= TARGET_READY_MS
        )
        print(
            f"| {row['size']:,} | {row['inputs']:,} | {row['megabytes']:.1f} MB "
            f"| {row['html']:.0f} ms | {row['dcl']:.0f} ms "
            f"| {row['ready']:.0f} ms ({row['script']:.0f} ms) "
            f"| {row['changed']:.1f} ms ({row['changed_max']:.1f}) | {row['frame']:.1f} ms "
            f"| {change} | {'yes' if met else '**no**'} |"
        )


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own server)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


if __name__ == "__main__":
    main()

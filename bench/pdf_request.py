"""Benchmark (not a test): how long a PDF link takes to answer, at 100, 1,000 and 5,000 lines
(docs/performance.md, «Hvor raskt en PDF-lenke svarer»; issue 10, target under 0.5 s at any
size).

    .venv/bin/python bench/pdf_request.py                      # 100, 1,000 and 5,000 lines
    .venv/bin/python bench/pdf_request.py --sizes 5000 --requests 9
    .venv/bin/python bench/pdf_request.py --pending-only       # skip rendering the PDFs

Makes its own data in a fresh SQLite file in a temporary folder (an employer per size, its
members on deduction, the month published, and its list filled and delivered, which queues the
list's PDF as delivery does) and serves it with `manage.py runserver` in a subprocess under the
production settings of `bench/run.py` (the database task backend, and no worker: every PDF stays
queued). Chromium (/usr/bin/chromium, headless, through Playwright), logged in by a session
cookie, fetches each link from a page of the portal and reports, the median of `--requests`:

- «PDF-en lages …»: the list's PDF link and the basis's PDF link («Hele trekkgrunnlaget») while
  their PDFs are queued; the time until the answer's headers, and until the whole page;
- the file: the same links once the PDFs exist (rendered here, in this process, as the worker
  would: about a minute of CPU at 5,000 lines each), until the headers and until the last byte.

The machine is shared: the figures are of one run, with whatever else was running.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.list_form import CHROMIUM, django_settings, free_port, wait_for  # noqa: E402
from bench.run import PYTHON, measured, production_env  # noqa: E402

TARGET_MS = 500
FETCH = """async (url) => {
    const started = performance.now();
    const response = await fetch(url, {cache: "no-store", credentials: "same-origin"});
    const headers = performance.now() - started;
    const body = await response.arrayBuffer();
    return [headers, performance.now() - started, body.byteLength,
            response.headers.get("Content-Type"), response.status];
}"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--requests", type=int, default=5, help="requests per link and state")
    parser.add_argument("--pending-only", action="store_true", help="do not render the PDFs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pdf-request-") as folder:
        env = production_env(f"sqlite:///{folder}/bench.sqlite3")
        env.update(STATIC_ROOT=f"{folder}/static", MEDIA_ROOT=f"{folder}/media")
        os.environ.update(env)
        measured([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env, capture=False)
        measured([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env, capture=False)

        import django

        django.setup()
        months = make_months(args.sizes)
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
            base_url = f"http://127.0.0.1:{port}"
            rows = measure(base_url, months, args, state="«PDF-en lages …»")
            if not args.pending_only:
                render_pdfs(months)
                rows += measure(base_url, months, args, state="the file")
        finally:
            server.terminate()
            server.wait()
    print_table(rows)


def make_months(sizes):
    """An employer per size with that many members on deduction, the month published, and its
    list filled (100 kr each) and delivered by its contact; returns {size: (the list's PDF path,
    the basis's PDF path, the page they are fetched from, a session cookie, the delivery, the
    basis)}."""
    from django.db.models import F
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Role, User
    from deductions.basis.services import basis_generate
    from deductions.lists.services import list_deliver, list_start
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
    months = {}
    for size, employer in employers.items():
        user = User.objects.create_user(username=f"{20000000 + size}", full_name=f"Kontakt {size}")
        Role.objects.create(user=user, employer=employer)
        basis = Basis.objects.get(employer=employer, period=period)
        deduction_list = list_start(basis=basis, actor=user)
        deduction_list.lines.update(dues=100, total=F("total") + 100)
        assert list_deliver(deduction_list=deduction_list, actor=user)
        delivery = deduction_list.latest_delivery()
        assert not delivery.pdf and delivery.pdf_queued_at is not None
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings().SESSION_COOKIE_NAME].value
        months[size] = (
            reverse("deductions:list_pdf", args=[deduction_list.public_id]),
            reverse("deductions:basis_download", args=[period.slug, "grunnlag", "pdf"]),
            reverse("deductions:list_detail", args=[deduction_list.public_id]),
            cookie,
            delivery,
            basis,
        )
    return months


def render_pdfs(months):
    """What the task worker does: each delivery's PDF and each basis's full PDF, stored."""
    from deductions.basis import exports
    from deductions.lists.pdfs import delivery_pdf

    for size, (*_, delivery, basis) in months.items():
        delivery_pdf(delivery=delivery)
        exports.as_pdf(basis, exports.FULL)
        print(f"{size} lines: PDFs rendered", file=sys.stderr)


def measure(base_url, months, args, *, state):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    rows = []
    pdf = state == "the file"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        for size, (list_pdf, basis_pdf, page_path, cookie, *_) in months.items():
            context = browser.new_context(base_url=base_url, locale="nb-NO")
            name = django_settings().SESSION_COOKIE_NAME
            context.add_cookies([{"name": name, "value": cookie, "url": base_url}])
            page = context.new_page()
            page.goto(page_path)
            for link, path in (("list", list_pdf), ("basis", basis_pdf)):
                page.evaluate(FETCH, path)  # once to warm the server
                answers = [page.evaluate(FETCH, path) for _ in range(args.requests)]
                for _, _, _, content_type, status in answers:
                    assert status == 200, (path, status)
                    assert content_type.startswith("application/pdf" if pdf else "text/html")
                rows.append(
                    {
                        "size": size,
                        "link": link,
                        "state": state,
                        "headers": statistics.median(answer[0] for answer in answers),
                        "whole": statistics.median(answer[1] for answer in answers),
                        "worst": max(answer[1] for answer in answers),
                        "bytes": answers[0][2],
                    }
                )
            context.close()
            print(f"{size} lines measured ({state})", file=sys.stderr)
        browser.close()
    return rows


def print_table(rows):
    print(
        "| lines | link | answers with | size | to the headers | to the last byte: median "
        "(max) | under 0.5 s |"
    )
    print("| ---: | --- | --- | ---: | ---: | ---: | --- |")
    for row in rows:
        size = f"{row['bytes'] / 1e6:.1f} MB" if row["bytes"] >= 1e5 else f"{row['bytes']:,} B"
        met = row["whole"] < TARGET_MS
        print(
            f"| {row['size']:,} | {row['link']} | {row['state']} | {size} "
            f"| {row['headers']:.0f} ms | {row['whole']:.0f} ms ({row['worst']:.0f}) "
            f"| {'yes' if met else '**no**'} |"
        )


if __name__ == "__main__":
    main()

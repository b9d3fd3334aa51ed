"""Benchmark (not a test): the rows of the month table, the basis pages and the list form, each
page rendered once with its rows built by a template and once by Python string building, in the
same run; reports the template's share of the page (docs/performance.md, «Templates or Python
strings»). The rule (issue 13): rows go in a template unless it costs more than 20 % of the page.

    .venv/bin/python bench/rendering.py                 # SQLite in memory
    .venv/bin/python bench/rendering.py --repeats 41    # more repeats, steadier medians
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trekk_x .venv/bin/python bench/rendering.py

Makes its own data in a fresh test database (Django's test-database creation: in memory for
SQLite, `test_<name>` for PostgreSQL, dropped at the end): an employer with 26 published months,
each with delivered lists and most paid; an employer of 240 with 120 changes in its latest month;
employers of 2,000 and 5,000 with their month's prefilled list. Then times each page through the
test client (the whole request: middleware, session, queries, the page template), production
settings (`DEBUG=false`, the cached template loader), warm, the median of `--repeats`.

The two variants differ in one partial template, which a locmem loader in front of the project's
templates replaces by a `{% variants %}` block holding both: the project's own partial (its rows
built in Python by `deductions_tags.month_rows`, `basis_tags.change_rows`/`full_rows` and
`list_tags.line_row`, all with `format_html`) and the same rows as templates, kept here in
`bench/templates/bench/`. The block renders the variant of the request and times the rows
alone, after their queryset is evaluated (the query is the same for both). Requests alternate
the variants; the table says whether both gave the same page (whitespace between tags aside).
"""

import argparse
import gc
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from django import template

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIMIT = 0.20  # the template's share of the page above which the rows may stay in Python

# --- The variant the project does not use: its rows as templates -------------------------------

LIBRARY = template.Library()  # {% load bench_rendering %}: `variants` below, and `kr`


@LIBRARY.filter
def kr(amount):
    from deductions.models import wording  # (after django.setup)

    return wording.kr(amount)


@LIBRARY.filter
def ore(amount):
    """An amount in øre, as `line_row` writes a line's saved sum (`data-saved`)."""
    return int(amount * 100)


TEMPLATES = Path(__file__).parent / "templates" / "bench"
# The month table as the project has it, its tag replaced by the same rows as a template.
MONTH_TABLE = (ROOT / "templates" / "deductions" / "_month_rows.html").read_text()
assert "{% month_rows months %}" in MONTH_TABLE, "the month table no longer calls month_rows"
TEMPLATE_MONTH_ROWS = MONTH_TABLE.replace(
    "{% month_rows months %}", (TEMPLATES / "month_rows.html").read_text()
)
TEMPLATE_BASIS_ROWS = (TEMPLATES / "basis_rows.html").read_text()
TEMPLATE_LINE_ROWS = (TEMPLATES / "line_rows.html").read_text()

REPO = None  # the variant is the project's own partial

# (page, rows, url name, employer key, partial, {variant: source}, what the prefetch evaluates)
PAGES = [
    (
        "front page, month table",
        "12 months",
        "home",
        "months",
        "deductions/_month_rows.html",
        {"python": REPO, "template": TEMPLATE_MONTH_ROWS},
        "months",
    ),
    (
        "/trekk/maneder/, month table",
        "24 months",
        "deductions:month_list",
        "months",
        "deductions/_month_rows.html",
        {"python": REPO, "template": TEMPLATE_MONTH_ROWS},
        "months",
    ),
    (
        "«Vis kun endringer» (/trekk/<YYYY-MM>/endringer/)",
        "100 lines",
        "deductions:basis_changes",
        "basis",
        "deductions/_basis_rows.html",
        {"python": REPO, "template": TEMPLATE_BASIS_ROWS},
        "page.object_list",
    ),
    (
        "«Vis hele trekkgrunnlaget» (/trekk/<YYYY-MM>/)",
        "100 lines",
        "deductions:basis_full",
        "basis",
        "deductions/_basis_rows.html",
        {"python": REPO, "template": TEMPLATE_BASIS_ROWS},
        "page.object_list",
    ),
    (
        "list form (/trekk/trekklister/<id>/rediger/)",
        "a page of a 2,000-line list",
        "deductions:list_edit",
        "list2000",
        "deductions/lists/_line_rows.html",
        {"python": REPO, "template": TEMPLATE_LINE_ROWS},
        "rows",
    ),
    (
        "list form (/trekk/trekklister/<id>/rediger/)",
        "a page of a 5,000-line list",
        "deductions:list_edit",
        "list5000",
        "deductions/lists/_line_rows.html",
        {"python": REPO, "template": TEMPLATE_LINE_ROWS},
        "rows",
    ),
]

# --- Both variants in one partial, the chosen one timed -----------------------------------------

VARIANT = ["template"]  # which variant the next request renders
ROW_TIMES = []


class VariantsNode(template.Node):
    def __init__(self, nodelists, prefetch):
        self.nodelists, self.prefetch = nodelists, prefetch

    def render(self, context):
        len(self.prefetch.resolve(context))  # a queryset runs its query here, outside the clock
        started = time.perf_counter()
        output = self.nodelists[VARIANT[0]].render(context)
        ROW_TIMES.append(time.perf_counter() - started)
        return output


@LIBRARY.tag
def variants(parser, token):
    """`{% variants rows %}python{% template_variant %}template{% endvariants %}`: evaluates
    `rows`, then renders and times the variant `VARIANT` names. Both are compiled once, so
    switching between requests costs nothing."""
    _, prefetch = token.split_contents()
    python = parser.parse(("template_variant",))
    parser.delete_first_token()
    templated = parser.parse(("endvariants",))
    parser.delete_first_token()
    nodelists = {"python": python, "template": templated}
    return VariantsNode(nodelists, parser.compile_filter(prefetch))


def partial_source(partial, sources, prefetch):
    """The partial with both variants: the project's own file for the one it uses."""
    python, templated = (
        (ROOT / "templates" / partial).read_text() if source is REPO else source
        for source in (sources["python"], sources["template"])
    )
    return (
        f"{{% load bench_rendering %}}{{% variants {prefetch} %}}{python}"
        f"{{% template_variant %}}{templated}{{% endvariants %}}"
    )


# --- Django, the database and the data ---------------------------------------------------------


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trekkportal.settings")
    os.environ.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEF",
        ALLOWED_HOSTS="testserver",
        SITE_URL="https://trekkportal.example",
        SECURE_SSL_REDIRECT="false",
        SMS_BACKEND="console",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.test.utils import override_settings

    from trekkportal import settings

    templates = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    (
                        "django.template.loaders.cached.Loader",
                        [
                            ("django.template.loaders.locmem.Loader", {}),
                            "django.template.loaders.filesystem.Loader",
                            "django.template.loaders.app_directories.Loader",
                        ],
                    )
                ],
            },
        }
    ]
    # Plain static URLs: the manifest storage would need collectstatic, and is a dict lookup.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(TEMPLATES=templates, STORAGES=storages).enable()
    from django.template import engines

    engine = engines["django"].engine
    engine.template_libraries["bench_rendering"] = LIBRARY
    return engine


NAMES = ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen"]
GIVEN = ["Kari", "Ola", "Ingrid", "Per", "Liv", "Nils", "Anne", "Jon", "Marit", "Lars", "Siri"]


def members(employer, count, first_period, start):
    """`count` members on deduction at `employer` from `first_period`, in bulk; a realistic
    mix: 60 % home, 30 % travel insurance, 3 % apprentices, most with an employee number."""
    from deductions.models import Category, Deduction, Member
    from deductions.national_ids import synthetic_national_id

    made = Member.objects.bulk_create(
        Member(
            number=f"{start + n}",
            name=f"{NAMES[n % len(NAMES)]} {GIVEN[n // len(NAMES) % len(GIVEN)]} {n}",
            national_id=synthetic_national_id(start + n),
            employee_number="" if n % 7 == 0 else f"A{n:05d}",
        )
        for n in range(count)
    )
    Deduction.objects.bulk_create(
        Deduction(
            member=member,
            employer=employer,
            first_period=first_period,
            category=Category.APPRENTICE if n % 33 == 0 else Category.ORDINARY,
            home_insurance=n % 33 != 0 and n % 5 < 3,
            travel_insurance=n % 33 != 0 and n % 10 < 3,
        )
        for n, member in enumerate(made)
    )
    return made


def fill():
    """The employers, their months, lists and payments; returns {key: (employer, url args)}."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from deductions.basis.services import basis_generate
    from deductions.lists.services import list_start
    from deductions.models import Basis, DeductionList, OcrImport, Payment, Rate
    from deductions.period import Period
    from employers.models import Employer

    first, latest = Period(2019, 1), Period(2021, 2)
    Rate.objects.create(
        valid_from=first,
        dues_percent=Decimal("1.10"),
        home_insurance=Decimal("85.00"),
        travel_insurance=Decimal("91.00"),
        apprentice_total=Decimal("42.00"),
    )
    user = User.objects.create_user(username="10000001", full_name="Kari Nordmann")
    employers = {}
    for key, name in [
        ("months", "Månedsbedriften AS"),
        ("basis", "Grunnlagsbedriften AS"),
        ("list2000", "Totusen AS"),
        ("list5000", "Femtusen AS"),
    ]:
        employers[key] = Employer.objects.create(number=f"{94001761 + len(employers)}", name=name)
        Role.objects.create(user=user, employer=employers[key])

    # 26 months of a 12-person employer, a change now and then.
    staff = members(employers["months"], 12, first, 100_000)
    for n in range(24):
        if n % 3 == 2:
            with transaction.atomic():
                staff[n % 12].change_deduction(
                    employer=employers["months"], from_period=first + n, home=n % 2 == 0
                )
        basis_generate(period=first + n)
    # 240 people at the basis employer in January, 120 changes in February.
    people = members(employers["basis"], 200, latest - 1, 200_000)
    basis_generate(period=latest - 1)
    with transaction.atomic():  # the changes lock the member's spells
        for member in people[:60]:
            member.change_deduction(employer=employers["basis"], from_period=latest, travel=True)
        for member in people[60:80]:
            member.stop_deduction(last_period=latest - 1)
    members(employers["basis"], 40, latest, 300_000)
    members(employers["list2000"], 2000, latest, 400_000)
    members(employers["list5000"], 5000, latest, 500_000)
    basis_generate(period=latest)

    # The month employer's lists and payments: delivered every month but the latest (a draft),
    # a supplementary list every fourth month, paid with a difference every fifth, the last
    # two months not yet paid.
    ocr = OcrImport.objects.create(filename="ocr.txt", sha256="0" * 64)
    months = Basis.objects.filter(employer=employers["months"]).order_by("period")
    for n, basis in enumerate(months):
        if basis.period == latest:
            DeductionList.objects.create(basis=basis, created_by=user)
            continue
        totals = {"main": Decimal("2400.00") + n}
        if n % 4 == 3:
            totals["supplementary"] = Decimal("85.00")
        for kind, total in totals.items():
            DeductionList.objects.create(
                basis=basis,
                kind=kind,
                status=DeductionList.Status.DELIVERED,
                delivered_at=timezone.now(),
                version=1,
                total=total,
            )
        if n < 23:
            Payment.objects.create(
                ocr_import=ocr,
                transaction_key=f"bench-{n}",
                kid=basis.kid,
                amount=sum(totals.values()) + (100 if n % 5 == 4 else 0),
                paid_on=basis.period.first_day(),
                employer=employers["months"],
                period=basis.period,
            )
    urls = {"months": [], "basis": [latest]}
    for key in ["list2000", "list5000"]:
        basis = Basis.objects.get(employer=employers[key], period=latest)
        urls[key] = [list_start(basis=basis, actor=user).public_id]
    return user, employers, urls


def client_for(user, employer):
    from django.test import Client

    from accounts.middleware import ROLE_SESSION_KEY
    from accounts.models import Role

    client = Client()
    client.force_login(user)
    session = client.session
    session[ROLE_SESSION_KEY] = Role.objects.get(user=user, employer=employer).pk
    session.save()
    return client


# --- Measuring ----------------------------------------------------------------------------------


def measure(client, url, repeats):
    """{variant: (page seconds, rows seconds, template's share, body)}, medians of `repeats`
    warm requests, the two variants alternating (so a busy machine slows both alike)."""
    times = {"python": [], "template": []}
    bodies = {}
    for n in range(repeats + 2):
        for variant in ("python", "template") if n % 2 else ("template", "python"):
            VARIANT[0] = variant
            gc.collect()
            del ROW_TIMES[:]
            started = time.perf_counter()
            response = client.get(url)
            page = time.perf_counter() - started
            assert response.status_code == 200, (url, response.status_code)
            assert ROW_TIMES, f"{url}: the rows were not rendered"
            bodies[variant] = response.content
            if n >= 2:  # the first two rounds warm up
                times[variant].append((page, sum(ROW_TIMES)))  # the list form has two tables
    return {
        variant: (
            statistics.median(page for page, _ in pairs),
            statistics.median(rows for _, rows in pairs),
            statistics.median(rows / page for page, rows in pairs),
            bodies[variant],
        )
        for variant, pairs in times.items()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats", type=int, default=31, help="requests per page and variant (list form: /3)"
    )
    args = parser.parse_args()
    engine = setup_django()
    locmem = engine.template_loaders[0].loaders[0]

    from django.db import connection
    from django.urls import reverse

    name = connection.settings_dict["NAME"]
    print(f"Database: {connection.vendor}; making the data ...", flush=True)
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user, employers, urls = fill()
        print(f"  {time.perf_counter() - started:.0f} s", flush=True)
        for _, _, _, _, partial, sources, prefetch in PAGES:
            locmem.templates_dict[partial] = partial_source(partial, sources, prefetch)
        results = []
        for page, size, url_name, key, _, sources, _ in PAGES:
            client = client_for(user, employers[key])
            url = reverse(url_name, args=urls[key])
            repeats = args.repeats if key in ("months", "basis") else max(3, args.repeats // 3)
            measured = measure(client, url, repeats)
            same = _words(measured["python"][3]) == _words(measured["template"][3])
            in_repo = next(variant for variant, source in sources.items() if source is REPO)
            results.append((page, size, measured, same, in_repo))
            print(f"  {page}, {size}: done", flush=True)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    print_table(results, args.repeats)


def _words(body):
    """The page without the whitespace between tags, the CSRF token and the CSP nonce."""
    import re

    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'nonce="[^"]*"', "", text)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", text))


def print_table(results, repeats):
    print()
    print(
        f"Server time per page, median of {repeats} warm requests per variant "
        f"(list form: {max(3, repeats // 3)}); share: the rows' time over the page's, per request."
    )
    print(
        "| page | rows | page, rows in Python | page, rows by template | rows in Python | "
        "rows by template | template's share of the page | same HTML | the project uses |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for page, size, measured, same, in_repo in results:
        python_page, python_rows, _, _ = measured["python"]
        template_page, template_rows, share, _ = measured["template"]
        print(
            f"| {page} | {size} | {python_page * 1000:.1f} ms | {template_page * 1000:.1f} ms | "
            f"{python_rows * 1000:.1f} ms | {template_rows * 1000:.1f} ms | "
            f"{share:.0%}{' (> 20 %)' if share > LIMIT else ''} | {'yes' if same else 'NO'} | "
            f"{in_repo} |"
        )


if __name__ == "__main__":
    main()

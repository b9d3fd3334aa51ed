"""One measurement per process, so `bench/run.py` can read each one's peak memory.

    python bench/tasks.py TASK [--period 2036-12] [--employer 10000000] ...

Prints one JSON object on its last line. Runs with `bench.settings` against the database in
DATABASE_URL (the benchmark's own, never a test database). The project's code path and its
baseline are separate tasks, each timed inside the process (Django's start-up is not counted).
"""

import argparse
import html
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.db.models.functions import Abs  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from accounts.middleware import ROLE_SESSION_KEY  # noqa: E402
from accounts.models import Role  # noqa: E402
from deductions.basis import exports  # noqa: E402
from deductions.basis.services import _LINE_COLUMNS, basis_generate  # noqa: E402
from deductions.cycle.month_changes import month_change_rows  # noqa: E402
from deductions.lists.services import list_start  # noqa: E402
from deductions.models import (  # noqa: E402
    Basis,
    BasisLine,
    Category,
    Deduction,
    DeductionList,
    Member,
    Rate,
)
from deductions.period import Period  # noqa: E402
from employers.models import Employer  # noqa: E402

TASKS = {}


def task(function):
    TASKS[function.__name__.replace("_", "-")] = function
    return function


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def timed(function, *args):
    connection.ensure_connection()  # connecting is start-up, not the work measured
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def warm(function):
    """The second of two runs: what a warm process (a gunicorn worker, a second call) spends."""
    timed(function)
    return timed(function)


@task
def info(args):
    """What the data holds: the last published month, the largest employer and the employers
    whose basis is closest to 1,000 and to 2,000 lines that month."""
    last = Basis.objects.published().order_by("-period").values_list("period", flat=True).first()
    if last is None:
        return {"last": None}
    month = Basis.objects.published().filter(period=last)
    largest = month.order_by("-line_count").select_related("employer").first()
    near_1000, near_2000 = (
        month.annotate(distance=Abs(F("line_count") - size))
        .order_by("distance")
        .select_related("employer")
        .first()
        for size in (1000, 2000)
    )
    counts = {
        "members": Member.objects.count(),
        "employers": Employer.objects.count(),
        "bases": Basis.objects.count(),
        "months": Basis.objects.values("period").distinct().count(),
    }
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table(BasisLine)}")  # noqa: S608
        counts["lines"] = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            counts["database_size"] = cursor.fetchone()[0]
    return {
        **counts,
        "last": last.slug,
        "largest": largest.employer.number,
        "largest_lines": largest.line_count,
        "largest_changes": largest.change_count,
        "near_1000": near_1000.employer.number if near_1000 else largest.employer.number,
        "near_1000_lines": near_1000.line_count if near_1000 else largest.line_count,
        "near_2000": near_2000.employer.number if near_2000 else largest.employer.number,
        "month_lines": sum(month.values_list("line_count", flat=True)),
        "month_changes": sum(month.values_list("change_count", flat=True)),
    }


# --- (1) Generating and publishing a month ---------------------------------------------------


@task
def generate(args):
    """The project's path: basis_generate for a month that has no basis yet."""
    seconds, result = timed(lambda: basis_generate(period=args.period))
    return {"seconds": seconds, "bases": result.bases, "lines": result.lines}


@task
def generate_baseline(args):
    """A plain INSERT ... SELECT of the same rows (everyone on deduction in the month, with
    their items and amounts) into the same table, for the bases `generate` made: same indexes,
    same foreign keys, same commit; no comparison with last month, no stops, no totals. The
    month's lines are taken out first (not timed)."""
    line, basis, p = table(BasisLine), table(Basis), args.period.index
    rate = Rate.objects.for_period(args.period)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {line} WHERE basis_id IN (SELECT id FROM {basis} WHERE period = %s)",  # noqa: S608
            [p],
        )
    sql = f"""
        INSERT INTO {line} ({_LINE_COLUMNS})
        SELECT b.id, m.id, m.number, m.name, m.national_id, m.employee_number, TRUE,
               d.category, d.category = %(ordinary)s, d.home_insurance, d.travel_insurance,
               CASE WHEN d.home_insurance THEN %(home)s ELSE 0 END,
               CASE WHEN d.travel_insurance THEN %(travel)s ELSE 0 END,
               CASE WHEN d.category = %(apprentice)s THEN %(flat)s ELSE 0 END,
               CASE WHEN d.home_insurance THEN %(home)s ELSE 0 END
                 + CASE WHEN d.travel_insurance THEN %(travel)s ELSE 0 END,
               FALSE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE
        FROM {table(Deduction)} d
        JOIN {table(Member)} m ON m.id = d.member_id
        JOIN {basis} b ON b.employer_id = d.employer_id AND b.period = %(p)s
        WHERE d.first_period <= %(p)s AND (d.last_period IS NULL OR d.last_period >= %(p)s)
    """  # noqa: S608
    params = {
        "ordinary": Category.ORDINARY,
        "apprentice": Category.APPRENTICE,
        "home": rate.home_insurance,
        "travel": rate.travel_insurance,
        "flat": rate.apprentice_total,
        "p": p,
    }

    def run():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    seconds, rows = timed(run)
    return {"seconds": seconds, "lines": rows}


@task
def remove_month(args):
    """Takes away a month's bases again (after `generate`), so the next run starts clean."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table(BasisLine)} WHERE basis_id IN "  # noqa: S608
            f"(SELECT id FROM {table(Basis)} WHERE period = %s)",
            [args.period.index],
        )
        cursor.execute(f"DELETE FROM {table(Basis)} WHERE period = %s", [args.period.index])  # noqa: S608
        removed = cursor.rowcount
    return {"removed": removed}


# --- (2) Counting and listing a month's changes for all employers -----------------------------


@task
def changes(args):
    """Each employer's count as generation stored it, then every changed line of the month as
    the staff's CSV of the month lists it (`deductions.cycle.month_changes`): read, described, cells
    made (not written out)."""
    month = Basis.objects.published().filter(period=args.period)

    def run():
        # Employers without changes count 0, as in the join (which only sees changed lines).
        counts = dict(
            month.filter(change_count__gt=0).values_list("employer__number", "change_count")
        )
        listed = sum(1 for _ in month_change_rows(args.period))
        return sum(counts.values()), listed

    seconds, (counted, listed) = warm(run)
    return {"seconds": seconds, "counted": counted, "listed": listed}


@task
def changes_baseline(args):
    """One hand-written join: every changed line of the month with its employer and the
    employer's count (a window), fetched in chunks; no model objects, no text. It fetches the
    same columns the listing needs (who, the change flags, the items and their amounts, the
    month's dues rate)."""
    sql = f"""
        SELECT e.number, e.name, l.member_number, l.name, l.national_id, l.employee_number,
               l.started, l.stopped, l.home_started, l.home_stopped, l.travel_started,
               l.travel_stopped, l.became_ordinary, l.became_apprentice, l.deducted, l.category,
               l.home_insurance, l.travel_insurance, l.home_insurance_amount,
               l.travel_insurance_amount, l.apprentice_amount, b.dues_percent,
               count(*) OVER (PARTITION BY b.id)
        FROM {table(BasisLine)} l
        JOIN {table(Basis)} b ON b.id = l.basis_id
        JOIN {table(Employer)} e ON e.id = b.employer_id
        WHERE b.period = %s AND b.status = %s AND l.changed
        ORDER BY e.name, l.name, l.member_number
    """  # noqa: S608

    def run():
        listed = 0
        with connection.cursor() as cursor:
            cursor.execute(sql, [args.period.index, Basis.Status.PUBLISHED])
            while rows := cursor.fetchmany(2000):
                listed += len(rows)
        return listed

    seconds, listed = warm(run)
    return {"seconds": seconds, "listed": listed}


# --- (4) The PDF of a 1,000-line basis -----------------------------------------------------------


def _basis(args):
    return Basis.objects.select_related("employer").get(
        employer__number=args.employer, period=args.period
    )


@task
def pdf(args):
    """The project's PDF of the whole basis, rendered afresh (the stored copy is set aside)."""
    basis = _basis(args)

    def run():
        content = exports.as_pdf(basis, exports.FULL)
        basis.full_pdf.storage.delete(basis.full_pdf.name)
        Basis.objects.filter(pk=basis.pk).update(full_pdf="")
        basis.full_pdf = ""
        return content

    Basis.objects.filter(pk=basis.pk).update(full_pdf="")
    basis.full_pdf = ""
    seconds, content = warm(run)
    return {"seconds": seconds, "bytes": len(content), "lines": basis.line_count}


@task
def pdf_baseline(args):
    """WeasyPrint rendering a plain table of the same rows (one raw query, no template)."""
    from weasyprint import HTML

    basis = _basis(args)
    sql = f"""
        SELECT member_number, name, national_id, employee_number, category, dues,
               home_insurance_amount, travel_insurance_amount, apprentice_amount, fixed_total
        FROM {table(BasisLine)} WHERE basis_id = %s AND deducted ORDER BY name, member_number
    """  # noqa: S608

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, [basis.pk])
            rows = cursor.fetchall()
        cells = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
            for row in rows
        )
        document = f"<!doctype html><meta charset=utf-8><table>{cells}</table>"
        return HTML(string=document).write_pdf()

    seconds, content = warm(run)
    return {"seconds": seconds, "bytes": len(content), "lines": basis.line_count}


# --- (6) Delivering a 2,000-line list ------------------------------------------------------------


@task
def delivery_lists(args):
    """One prefilled list (a draft) in each of the employer's last `count` months, a logged-in
    session of its contact and a CSRF token: what the delivery load sends."""
    role = (
        Role.objects.filter(employer__number=args.employer)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    bases = (
        Basis.objects.published().filter(employer=role.employer).order_by("-period")[: args.count]
    )
    lists = []
    for basis in bases:
        # A draft again if an earlier run left it delivered (the load delivers it many times).
        basis.lists.filter(kind=DeductionList.Kind.MAIN).update(status=DeductionList.Status.DRAFT)
        deduction_list = list_start(basis=basis, actor=role.user)
        lists.append(
            {
                "pk": deduction_list.pk,
                "url": reverse("deductions:list_confirm", args=[deduction_list.public_id]),
                "lines": deduction_list.line_count,
            }
        )
    client = _contact_client(args.employer)
    secret = get_random_string(32)
    return {
        "lists": lists,
        "cookie": client.cookies["sessionid"].value,
        "csrf": secret,
        "table": DeductionList._meta.db_table,
    }


# --- (3) Pages: sessions for wrk, and the queries each page makes ------------------------------


def _contact_client(employer_number):
    role = (
        Role.objects.filter(employer__number=employer_number)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(role.user)
    session = client.session
    session[ROLE_SESSION_KEY] = role.pk
    session.save()
    return client


@task
def sessions(args):
    """Logged-in sessions of the employer's contact, as wrk sends them."""
    cookies = [_contact_client(args.employer).cookies["sessionid"].value for _ in range(args.count)]
    return {"cookies": cookies}


def page_urls(period):
    return {
        "forside": reverse("home"),
        "endringer": reverse("deductions:basis_changes", args=[period.slug]),
        "hele": reverse("deductions:basis_full", args=[period.slug]),
        "grunnlinje": "/bench/en-sporring/",
    }


@task
def queries(args):
    """How many queries each page makes for the employer's contact (and its status)."""
    client = _contact_client(args.employer)
    counted = {}
    for name, url in page_urls(args.period).items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        counted[name] = {"status": response.status_code, "queries": len(captured)}
    return counted


@task
def profile(args):
    """Where a page's time goes (cProfile over 20 warm requests): the share spent rendering
    templates (with the queries templates start), and the share executing SQL and fetching."""
    import cProfile
    import pstats

    client = _contact_client(args.employer)
    shares = {}
    for name, url in page_urls(args.period).items():
        for _ in range(3):
            client.get(url)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(20):
            client.get(url)
        profiler.disable()
        wall = (time.perf_counter() - started) / 20
        stats = pstats.Stats(profiler).stats

        def cumulative(suffix, function, stats=stats):
            return sum(
                entry[3]
                for (filename, _, name_), entry in stats.items()
                if filename.endswith(suffix) and name_ == function
            )

        total = cumulative("django/core/handlers/base.py", "get_response")
        template = cumulative("django/template/base.py", "render") and cumulative(
            "django/template/backends/django.py", "render"
        )
        database = sum(
            cumulative("django/db/backends/utils.py", function)
            for function in ("_execute", "_executemany")
        ) + sum(
            cumulative("psycopg/cursor.py", function)
            for function in ("fetchmany", "fetchall", "fetchone")
        )
        shares[name] = {
            "ms_per_request_profiled": round(total / 20 * 1000, 1),
            "ms_per_request_wall": round(wall * 1000, 1),
            "templates_incl_their_queries": round(template / total, 2),
            "sql_execute_and_fetch": round(database / total, 2),
        }
    return shares


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--period", type=Period.parse)
    parser.add_argument("--employer")
    parser.add_argument("--count", type=int, default=16)
    args = parser.parse_args()
    result = TASKS[args.task](args)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()

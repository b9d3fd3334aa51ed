"""Operations across several deduction models."""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.audit import AuditEvent
from deductions.models import Basis, BasisLine, Category, Deduction, Member, Rate
from deductions.models.basis import ZERO
from employers.models import Employer


class NoRatesError(Exception):
    """No rates are valid in the month asked for."""


@dataclass(frozen=True)
class GenerationResult:
    period: object
    bases: int
    lines: int
    changes: int
    published: bool


def basis_generate(*, period, publish=True, actor=None):
    """Makes the basis of `period` for every active employer, in a handful of SQL statements.

    Each employer gets one Basis row (created if missing; a unique constraint makes a second
    host's insert a no-op). Draft bases of the month are locked, their lines replaced by an
    INSERT ... SELECT from the deduction history, compared with last month's lines by a join,
    and the totals counted. A published basis is never touched: running again, or on two hosts
    at once, changes nothing that was published.
    """
    rate = Rate.objects.for_period(period)
    if rate is None:
        raise NoRatesError(f"Ingen satser gjelder for {period}. Legg inn satser først.")
    now = timezone.now()
    with transaction.atomic():
        _insert_missing_bases(period, now)
        drafts = list(
            Basis.objects.select_for_update(of=("self",))
            .filter(period=period, status=Basis.Status.DRAFT)
            .values_list("pk", "employer_id")
        )
        if not drafts:
            return GenerationResult(period, 0, 0, 0, publish)
        _replace_lines(period, rate)
        _count_totals(period, rate, now, publish)
        totals = Basis.objects.filter(pk__in=[pk for pk, _ in drafts]).aggregate(
            lines=Coalesce(Sum("line_count"), 0), changes=Coalesce(Sum("change_count"), 0)
        )
        result = GenerationResult(period, len(drafts), totals["lines"], totals["changes"], publish)
        AuditEvent.objects.record(
            "basis_published" if publish else "basis_generated",
            actor=actor,
            period=period.slug,
            bases=result.bases,
            lines=result.lines,
            changes=result.changes,
        )
        if publish:
            AuditEvent.objects.bulk_create(
                AuditEvent(
                    action="basis_published",
                    actor=actor,
                    actor_label=str(actor) if actor else "",
                    employer_id=employer_id,
                    object_type=Basis._meta.verbose_name,
                    object_ref=period.slug,
                    details={"period": period.slug},
                )
                for _, employer_id in drafts
            )
    return result


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _insert_missing_bases(period, now):
    basis = _table(Basis)
    sql = f"""
        INSERT INTO {basis} (
            employer_id, period, status, generated_at, dues_percent, home_insurance_rate,
            travel_insurance_rate, apprentice_rate, line_count, change_count,
            home_insurance_count, travel_insurance_count, apprentice_count,
            home_insurance_total, travel_insurance_total, apprentice_total, fixed_total,
            full_pdf, changes_pdf
        )
        SELECT e.id, %s, %s, %s, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '', ''
        FROM {_table(Employer)} e
        WHERE e.active
        ON CONFLICT (employer_id, period) DO NOTHING
    """  # noqa: S608 (table names from our models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.index, Basis.Status.DRAFT, now])
        if connection.vendor == "postgresql":
            # The month's bases are new rows: fresh statistics let the planner see thousands
            # where it would otherwise guess one, and join the lines by hash, not row by row.
            cursor.execute(f"ANALYZE {basis}")


_LINE_COLUMNS = """
    basis_id, member_id, member_number, name, national_id, employee_number, deducted, category,
    dues, home_insurance, travel_insurance, home_insurance_amount, travel_insurance_amount,
    apprentice_amount, fixed_total, changed, started, stopped, home_started, home_stopped,
    travel_started, travel_stopped, became_ordinary, became_apprentice
"""


def _replace_lines(period, rate):
    basis, line = _table(Basis), _table(BasisLine)
    draft = Basis.Status.DRAFT
    apprentice = Category.APPRENTICE
    ordinary = Category.ORDINARY
    delete = f"""
        DELETE FROM {line} WHERE basis_id IN (
            SELECT id FROM {basis} WHERE period = %s AND status = %s
        )
    """  # noqa: S608
    # Everyone on deduction this month, with last month's line (if any) beside them.
    current = f"""
        INSERT INTO {line} ({_LINE_COLUMNS})
        WITH before AS MATERIALIZED (
            -- Last month's lines as one set, joined by hash: probing each member's lines by
            -- index costs more with every month of history.
            SELECT pb.employer_id, pl.member_id, pl.id, pl.category, pl.home_insurance,
                   pl.travel_insurance
            FROM {line} pl JOIN {basis} pb ON pb.id = pl.basis_id
            WHERE pb.period = %s AND pl.deducted
        )
        SELECT basis_id, member_id, member_number, name, national_id, employee_number, TRUE,
               category, category = %s, home, travel,
               CASE WHEN home THEN %s ELSE 0 END,
               CASE WHEN travel THEN %s ELSE 0 END,
               CASE WHEN category = %s THEN %s ELSE 0 END,
               CASE WHEN home THEN %s ELSE 0 END + CASE WHEN travel THEN %s ELSE 0 END
                 + CASE WHEN category = %s THEN %s ELSE 0 END,
               started OR home_started OR home_stopped OR travel_started OR travel_stopped
                 OR became_ordinary OR became_apprentice,
               started, FALSE, home_started, home_stopped, travel_started, travel_stopped,
               became_ordinary, became_apprentice
        FROM (
            SELECT b.id AS basis_id, m.id AS member_id, m.number AS member_number, m.name,
                   m.national_id, m.employee_number, d.category, d.home, d.travel,
                   pl.id IS NULL AS started,
                   COALESCE(NOT pl.home_insurance AND d.home, FALSE) AS home_started,
                   COALESCE(pl.home_insurance AND NOT d.home, FALSE) AS home_stopped,
                   COALESCE(NOT pl.travel_insurance AND d.travel, FALSE) AS travel_started,
                   COALESCE(pl.travel_insurance AND NOT d.travel, FALSE) AS travel_stopped,
                   COALESCE(pl.category = %s AND d.category = %s, FALSE) AS became_ordinary,
                   COALESCE(pl.category = %s AND d.category = %s, FALSE) AS became_apprentice
            FROM (
                SELECT member_id, employer_id, category,
                       home_insurance AND category <> %s AS home,
                       travel_insurance AND category <> %s AS travel
                FROM {_table(Deduction)}
                WHERE first_period <= %s AND (last_period IS NULL OR last_period >= %s)
            ) d
            JOIN {basis} b ON b.employer_id = d.employer_id AND b.period = %s AND b.status = %s
            JOIN {_table(Member)} m ON m.id = d.member_id
            LEFT JOIN before pl ON pl.employer_id = d.employer_id AND pl.member_id = d.member_id
        ) AS now_and_before
    """  # noqa: S608
    # Everyone on last month's basis who is not on this month's: a stop.
    stopped = f"""
        INSERT INTO {line} ({_LINE_COLUMNS})
        SELECT b.id, pl.member_id, pl.member_number, pl.name, pl.national_id,
               pl.employee_number, FALSE, pl.category, FALSE, FALSE, FALSE, 0, 0, 0, 0,
               TRUE, FALSE, TRUE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE
        FROM {basis} b
        JOIN {basis} pb ON pb.employer_id = b.employer_id AND pb.period = %s
        JOIN {line} pl ON pl.basis_id = pb.id AND pl.deducted
        WHERE b.period = %s AND b.status = %s
          -- Asked of the member's few spells, not of their lines (one a month, ever more).
          AND NOT EXISTS (
              SELECT 1 FROM {_table(Deduction)} d
              WHERE d.member_id = pl.member_id AND d.employer_id = b.employer_id
                AND d.first_period <= %s AND (d.last_period IS NULL OR d.last_period >= %s)
          )
    """  # noqa: S608
    home, travel, flat = rate.home_insurance, rate.travel_insurance, rate.apprentice_total
    p, before = period.index, period.index - 1
    with connection.cursor() as cursor:
        cursor.execute(delete, [p, draft])
        cursor.execute(
            current,
            [
                before,
                ordinary,
                home,
                travel,
                apprentice,
                flat,
                home,
                travel,
                apprentice,
                flat,
                apprentice,
                ordinary,
                ordinary,
                apprentice,
                apprentice,
                apprentice,
                p,
                p,
                p,
                draft,
            ],
        )
        cursor.execute(stopped, [before, p, draft, p, p])


def _count_totals(period, rate, now, publish):
    lines = BasisLine.objects.filter(basis=OuterRef("pk"), deducted=True)

    def count(condition=None):
        subset = lines.filter(condition) if condition is not None else lines
        counted = subset.values("basis").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted), Value(0))

    def total(field):
        summed = lines.values("basis").annotate(s=Sum(field)).values("s")
        return Coalesce(Subquery(summed), Value(ZERO))

    changes = (
        BasisLine.objects.filter(basis=OuterRef("pk"), changed=True)
        .values("basis")
        .annotate(n=Count("pk"))
        .values("n")
    )
    fields = {
        "line_count": count(),
        "change_count": Coalesce(Subquery(changes), Value(0)),
        "home_insurance_count": count(Q(home_insurance=True)),
        "travel_insurance_count": count(Q(travel_insurance=True)),
        "apprentice_count": count(Q(category=Category.APPRENTICE)),
        "home_insurance_total": total("home_insurance_amount"),
        "travel_insurance_total": total("travel_insurance_amount"),
        "apprentice_total": total("apprentice_amount"),
        "fixed_total": total("fixed_total"),
        "dues_percent": rate.dues_percent,
        "home_insurance_rate": rate.home_insurance,
        "travel_insurance_rate": rate.travel_insurance,
        "apprentice_rate": rate.apprentice_total,
        "generated_at": now,
        "full_pdf": "",
        "changes_pdf": "",
    }
    if publish:
        fields.update(status=Basis.Status.PUBLISHED, published_at=now)
    Basis.objects.filter(period=period, status=Basis.Status.DRAFT).update(**fields)

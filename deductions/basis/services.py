"""Making a month's basis for every employer (`basis_generate`), in set-based SQL.

A basis tells payroll what changed since they were last told: each employer's lines are compared
with its last published basis, whatever month that is, so a month nobody generated loses no
change. The employer's very first basis is compared with the history as it stood the month
before. Publishing a month first publishes the months missing between the last published month
and it, oldest first, so every published month stands on the one before it.
"""

from dataclasses import dataclass, replace
from functools import partial

from django.db import connection, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import AuditEvent
from deductions.basis.tasks import queue_month_pdfs
from deductions.models import Basis, BasisLine, Category, Deduction, Member, Rate
from deductions.money import ZERO
from employers.models import Employer

# Missing months published before the month asked for, at most: more is a mistyped month or
# a cycle that stood still long enough for someone to look at it first.
MAX_MISSING_MONTHS = 12


class GenerationRefused(Exception):
    """The month cannot be generated; the message says why, in the staff's words."""


class NoRatesError(GenerationRefused):
    """No rates are valid in the month asked for."""


class TooManyMissingMonths(GenerationRefused):
    """More than MAX_MISSING_MONTHS months lie unpublished before the month asked for."""


@dataclass(frozen=True)
class GenerationResult:
    period: object
    bases: int
    lines: int
    changes: int
    published: bool
    # The last month published before this one (None before the first), and the results of
    # the missing months published first, oldest first.
    compared_with: object = None
    earlier: tuple = ()

    @property
    def earlier_text(self):
        """«Genererte også 2021/01 og 2021/02, som manglet.», or "" when nothing was missing."""
        if not self.earlier:
            return ""
        months = [str(result.period) for result in self.earlier]
        listed = months[0] if len(months) == 1 else f"{', '.join(months[:-1])} og {months[-1]}"
        return f"Genererte også {listed}, som manglet."

    @property
    def compared_text(self):
        """For a draft whose month before is unpublished: what its changes are counted against."""
        if self.compared_with is None or self.compared_with == self.period.previous():
            return ""
        return (
            f"Endringene er talt mot {self.compared_with}, siste publiserte måned; "
            f"{self.period.previous()} publiseres først når {self.period} publiseres."
        )


def basis_generate(*, period, publish=True, actor=None):
    """Makes the basis of `period` for every active employer; publishing it publishes the
    missing months before it first (`missing_months`), each in its own transaction, so a run
    that stops half-way is continued by the next. A draft is compared with the last published
    month as it is. Raises GenerationRefused, before anything is written, without rates for a
    month or with too many months missing."""
    last = last_published_month(period)
    missing = missing_months(period, last=last) if publish and last is not None else []
    rates = {}
    for month in [*missing, period]:
        rates[month] = Rate.objects.for_period(month)
        if rates[month] is None:
            raise NoRatesError(f"Ingen satser gjelder for {month}. Legg inn satser først.")
    earlier = tuple(
        _generate_month(month, rates[month], publish, actor, compared_with=month.previous())
        for month in missing
    )
    result = _generate_month(
        period, rates[period], publish, actor, compared_with=missing[-1] if missing else last
    )
    return replace(result, earlier=earlier)


def last_published_month(period):
    """The last month before `period` with a published basis, or None before the first."""
    last = Basis.objects.published().filter(period__lt=period).aggregate(last=Max("period"))
    return last["last"]


def missing_months(period, *, last=None):
    """The unpublished months between the last published month (`last`, looked up if not
    given) and `period`, oldest first: those publishing `period` publishes first. Bases are
    made for every employer at once, so a month is published for all or none (an employer
    inactive then is compared with its own last published basis instead). Raises
    TooManyMissingMonths beyond MAX_MISSING_MONTHS."""
    last = last or last_published_month(period)
    if last is None:
        return []
    missing = [last + n for n in range(1, period - last)]
    if len(missing) > MAX_MISSING_MONTHS:
        raise TooManyMissingMonths(
            f"Kan ikke publisere trekkgrunnlag for {period}: siste publiserte måned er {last}, "
            f"og de {len(missing)} månedene imellom mangler. Høyst {MAX_MISSING_MONTHS} "
            "manglende måneder lages i samme kjøring. Sjekk måneden, eller publiser de "
            f"tidligere månedene først (fra {missing[0]})."
        )
    return missing


def _generate_month(period, rate, publish, actor, *, compared_with):
    """One month, in one transaction. Each employer gets one Basis row (created if missing; a
    unique constraint makes a second host's insert a no-op). Draft bases of the month are
    locked, their lines replaced by an INSERT ... SELECT from the deduction history, compared
    with the employer's last published lines by a join, and the totals counted. A published
    basis is never touched: running again, or on two hosts at once, changes nothing that was
    published."""
    now = timezone.now()
    with transaction.atomic():
        _insert_missing_bases(period, now)
        _refresh_statistics()
        drafts = list(
            Basis.objects.select_for_update(of=("self",))
            .filter(period=period, status=Basis.Status.DRAFT)
            .values_list("pk", "employer_id")
        )
        if not drafts:
            return GenerationResult(period, 0, 0, 0, publish, compared_with)
        _replace_lines(period, rate)
        _count_totals(period, rate, now, publish)
        totals = Basis.objects.filter(pk__in=[pk for pk, _ in drafts]).aggregate(
            lines=Coalesce(Sum("line_count"), 0), changes=Coalesce(Sum("change_count"), 0)
        )
        result = GenerationResult(
            period, len(drafts), totals["lines"], totals["changes"], publish, compared_with
        )
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
            # The worker makes the month's PDFs before anyone asks, largest employers first.
            transaction.on_commit(partial(queue_month_pdfs.enqueue, period.index))
    return result


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _refresh_statistics():
    """PostgreSQL plans from table statistics, which know nothing yet of the bases inserted a
    moment ago (nor, often, of last month's): it would plan nested loops over 10,000 of each.
    ANALYZE samples the small basis table (our own uncommitted rows included) in milliseconds."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_table(Basis)}")


def _insert_missing_bases(period, now):
    """One draft per active employer that has no basis this month. In employer order, so two
    hosts inserting at once wait for each other instead of deadlocking."""
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
        ORDER BY e.id
        ON CONFLICT (employer_id, period) DO NOTHING
    """  # noqa: S608 (table names from our models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.index, Basis.Status.DRAFT, now])


_LINE_COLUMNS = """
    basis_id, member_id, member_number, name, national_id, employee_number, deducted, category,
    dues, home_insurance, travel_insurance, home_insurance_amount, travel_insurance_amount,
    apprentice_amount, fixed_total, changed, started, stopped, home_started, home_stopped,
    travel_started, travel_stopped, became_ordinary, became_apprentice
"""


def _replace_lines(period, rate):
    basis, line, deduction = _table(Basis), _table(BasisLine), _table(Deduction)
    member = _table(Member)
    params = {
        "period": period.index,
        "before": period.index - 1,
        "draft": Basis.Status.DRAFT,
        "published": Basis.Status.PUBLISHED,
        "ordinary": Category.ORDINARY,
        "apprentice": Category.APPRENTICE,
        "home": rate.home_insurance,
        "travel": rate.travel_insurance,
        "flat": rate.apprentice_total,
    }

    def on_deduction(month):
        """Deduction spells running in `month` (a parameter name), apprentices uninsured."""
        return f"""
            SELECT member_id, employer_id, category,
                   home_insurance AND category <> %(apprentice)s AS home,
                   travel_insurance AND category <> %(apprentice)s AS travel
            FROM {deduction}
            WHERE first_period <= %({month})s
              AND (last_period IS NULL OR last_period >= %({month})s)
        """  # noqa: S608

    delete = f"""
        DELETE FROM {line} WHERE basis_id IN (
            SELECT id FROM {basis} WHERE period = %(period)s AND status = %(draft)s
        )
    """  # noqa: S608
    # What payroll was last told: the lines of each employer's last published basis, whatever
    # month that is. Almost always the month before, found by the (period, status) index as
    # before; an employer that had none then (it was inactive) gets its latest older one, by
    # a probe of its own months only. Read once and hashed against this month, the lines are
    # found without an index probe per member (which would read all of a member's months).
    # An employer without a published basis (its first month here) is compared with the
    # history as it stood the month before. Two statements with plain joins (the second almost
    # always finds nothing) plan better than one.
    last_basis = f"""
        last_basis AS MATERIALIZED (
            SELECT employer_id, period FROM {basis}
            WHERE period = %(before)s AND status = %(published)s
            UNION ALL
            SELECT pb.employer_id, MAX(pb.period) FROM {basis} pb
            WHERE pb.period < %(before)s AND pb.status = %(published)s
              AND pb.employer_id IN (
                  SELECT b.employer_id FROM {basis} b
                  WHERE b.period = %(period)s AND b.status = %(draft)s
                    AND NOT EXISTS (
                        SELECT 1 FROM {basis} sb
                        WHERE sb.employer_id = b.employer_id AND sb.period = %(before)s
                          AND sb.status = %(published)s
                    )
              )
            GROUP BY pb.employer_id
        )
    """  # noqa: S608
    last_told = f"""
        WITH {last_basis}, last_told AS MATERIALIZED (
            SELECT pb.employer_id, pl.member_id, pl.member_number, pl.name, pl.national_id,
                   pl.employee_number, pl.category, pl.home_insurance, pl.travel_insurance
            FROM last_basis lb
            JOIN {basis} pb ON pb.employer_id = lb.employer_id AND pb.period = lb.period
            JOIN {line} pl ON pl.basis_id = pb.id AND pl.deducted
        )
    """  # noqa: S608
    from_lines = """
        JOIN last_basis lb ON lb.employer_id = d.employer_id
        LEFT JOIN last_told prev ON prev.employer_id = d.employer_id
                                AND prev.member_id = d.member_id
    """
    never_published = """
        NOT EXISTS (SELECT 1 FROM last_basis lb WHERE lb.employer_id = {employer})
    """
    from_history = f"""
        LEFT JOIN ({on_deduction("before")}) prev ON prev.member_id = d.member_id
                                                  AND prev.employer_id = d.employer_id
        WHERE {never_published.format(employer="d.employer_id")}
    """  # noqa: S608
    # Not on deduction at that employer this month. (The unary + keeps the planners on the
    # member's few spells instead of all the employer's.)
    gone = f"""
        NOT EXISTS (
            SELECT 1 FROM {deduction} nd
            WHERE nd.member_id = prev.member_id AND +nd.employer_id = prev.employer_id
              AND nd.first_period <= %(period)s
              AND (nd.last_period IS NULL OR nd.last_period >= %(period)s)
        )
    """  # noqa: S608

    def current(cte, compared, home_column, travel_column):
        return f"""
        {cte}
        INSERT INTO {line} ({_LINE_COLUMNS})
        SELECT basis_id, member_id, member_number, name, national_id, employee_number, TRUE,
               category, category = %(ordinary)s, home, travel,
               CASE WHEN home THEN %(home)s ELSE 0 END,
               CASE WHEN travel THEN %(travel)s ELSE 0 END,
               CASE WHEN category = %(apprentice)s THEN %(flat)s ELSE 0 END,
               CASE WHEN home THEN %(home)s ELSE 0 END + CASE WHEN travel THEN %(travel)s ELSE 0 END
                 + CASE WHEN category = %(apprentice)s THEN %(flat)s ELSE 0 END,
               started OR home_started OR home_stopped OR travel_started OR travel_stopped
                 OR became_ordinary OR became_apprentice,
               started, FALSE, home_started, home_stopped, travel_started, travel_stopped,
               became_ordinary, became_apprentice
        FROM (
            SELECT b.id AS basis_id, m.id AS member_id, m.number AS member_number, m.name,
                   m.national_id, m.employee_number, d.category, d.home, d.travel,
                   prev.member_id IS NULL AS started,
                   COALESCE(NOT prev.{home_column} AND d.home, FALSE) AS home_started,
                   COALESCE(prev.{home_column} AND NOT d.home, FALSE) AS home_stopped,
                   COALESCE(NOT prev.{travel_column} AND d.travel, FALSE) AS travel_started,
                   COALESCE(prev.{travel_column} AND NOT d.travel, FALSE) AS travel_stopped,
                   COALESCE(prev.category = %(apprentice)s AND d.category = %(ordinary)s, FALSE)
                     AS became_ordinary,
                   COALESCE(prev.category = %(ordinary)s AND d.category = %(apprentice)s, FALSE)
                     AS became_apprentice
            FROM ({on_deduction("period")}) d
            JOIN {basis} b ON b.employer_id = d.employer_id AND b.period = %(period)s
                          AND b.status = %(draft)s
            JOIN {member} m ON m.id = d.member_id
            {compared}
        ) AS now_and_before
        """  # noqa: S608

    # Everyone deducted when payroll was last told who is not this month: a stop. From the
    # last published lines...
    stopped = f"""
        {last_told}
        INSERT INTO {line} ({_LINE_COLUMNS})
        SELECT b.id, prev.member_id, prev.member_number, prev.name, prev.national_id,
               prev.employee_number, FALSE, prev.category, FALSE, FALSE, FALSE, 0, 0, 0, 0,
               TRUE, FALSE, TRUE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE
        FROM last_told prev
        JOIN {basis} b ON b.employer_id = prev.employer_id AND b.period = %(period)s
                      AND b.status = %(draft)s
        WHERE {gone}
    """  # noqa: S608
    # ... or, in an employer's first month, from the history.
    stopped_in_history = f"""
        WITH {last_basis}
        INSERT INTO {line} ({_LINE_COLUMNS})
        SELECT b.id, m.id, m.number, m.name, m.national_id, m.employee_number, FALSE,
               prev.category, FALSE, FALSE, FALSE, 0, 0, 0, 0,
               TRUE, FALSE, TRUE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE
        FROM {basis} b
        JOIN ({on_deduction("before")}) prev ON prev.employer_id = b.employer_id
        JOIN {member} m ON m.id = prev.member_id
        WHERE b.period = %(period)s AND b.status = %(draft)s
          AND {never_published.format(employer="b.employer_id")}
          AND {gone}
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(delete, params)
        cursor.execute(current(last_told, from_lines, "home_insurance", "travel_insurance"), params)
        cursor.execute(current(f"WITH {last_basis}", from_history, "home", "travel"), params)
        cursor.execute(stopped, params)
        cursor.execute(stopped_in_history, params)


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
        "pdf_queued_at": None,
        "pdf_failed_at": None,
    }
    if publish:
        fields.update(status=Basis.Status.PUBLISHED, published_at=now)
    Basis.objects.filter(period=period, status=Basis.Status.DRAFT).update(**fields)

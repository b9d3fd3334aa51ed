"""Operations on deduction lists that touch several models (lines, deliveries, audit, files).

Every change leaves an AuditEvent (actions `list_created`, `list_draft_saved`, `list_edited`,
`list_uploaded`, `list_delivered`, `list_redelivered`, `list_reopened`,
`list_pdf_downloaded`, and fill.py's `list_filled_from_previous`); none holds a national ID.
An autosave is `list_draft_saved` or `list_edited` with `autosaved` in its details, and only
when it changed something.

Saves from the form are conflict-safe: each line of the page carries the fingerprint of the
values it showed (`l-N-was`). A line its user did not change is never written (the values on
the page may be older than a colleague's save), and a line both changed is left as the colleague
saved it and reported (`Conflict`); posting the new fingerprint overwrites it on purpose.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localtime

from accounts.models import AuditEvent
from deductions import money
from deductions.lists.forms import AmountError, parse_amount
from deductions.lists.pdfs import delivery_pdf_enqueue
from deductions.lists.reconciliation import reconcile
from deductions.models import Category, DeductionList, DeductionListLine, ListDelivery, Reason
from deductions.models.lists import line_fingerprint
from deductions.money import ZERO
from messaging.services import messages_send_to_employer

BATCH = 500


class ListLocked(Exception):
    """The list is delivered: the contact cannot change it until staff reopen it."""


class ReopenRefused(Exception):
    """The list cannot be reopened now; the message says why, in Norwegian."""


def list_start(*, basis, actor, request=None, prefill=True):
    """The month's open list, or a new one: the month's first list is prefilled from the full
    basis; once it is delivered, the next is an empty supplementary list."""
    existing = basis.lists.open().first()
    if existing is not None:
        return existing
    kind = DeductionList.Kind.MAIN
    if basis.lists.filter(kind=DeductionList.Kind.MAIN).exists():
        kind = DeductionList.Kind.SUPPLEMENTARY
    try:
        with transaction.atomic():
            deduction_list = DeductionList.objects.create(
                basis=basis, kind=kind, created_by=actor, updated_by=actor
            )
            if prefill and kind == DeductionList.Kind.MAIN:
                _prefill(deduction_list)
            AuditEvent.objects.record(
                "list_created",
                request=request,
                actor=actor,
                employer=basis.employer,
                obj=deduction_list,
                kind=kind,
            )
    except IntegrityError:  # a colleague (or a second click) started it at the same moment
        return basis.lists.open().get()
    return deduction_list


def _prefill(deduction_list):
    """One line per member on deduction: insurance and apprentices' flat amount prefilled."""
    rows = deduction_list.basis.deducted_lines().order_by("name", "member_number")
    lines = []
    for position, row in enumerate(
        rows.values_list(
            "pk",
            "national_id",
            "name",
            "category",
            "home_insurance_amount",
            "travel_insurance_amount",
            "apprentice_amount",
        ).iterator(chunk_size=2000)
    ):
        pk, national_id, name, category, home, travel, apprentice = row
        line = DeductionListLine(
            deduction_list=deduction_list,
            position=position,
            basis_line_id=pk,
            national_id=national_id,
            name=name,
        )
        dues = apprentice if category == Category.APPRENTICE else ZERO
        line.set_amounts(dues, home, travel)
        lines.append(line)
    DeductionListLine.objects.bulk_create(lines, batch_size=BATCH)
    _count(deduction_list, lines)
    deduction_list.save(update_fields=["line_count", "total", "deviation_count"])


def _count(deduction_list, lines):
    deduction_list.line_count = len(lines)
    deduction_list.total = sum((line.total for line in lines), ZERO)
    deduction_list.deviation_count = len(reconcile(deduction_list, lines))


def _locked_copy(deduction_list):
    """The list row locked for this transaction; ListLocked when it is delivered."""
    locked = (
        DeductionList.objects.select_for_update(of=("self",))
        .select_related("basis__employer")
        .get(pk=deduction_list.pk)
    )
    if locked.is_delivered:
        raise ListLocked
    return locked


@transaction.atomic
def list_save(*, deduction_list, form, actor, request=None):
    """Saves a valid ListForm: changed lines in bulk, added persons, removed added persons."""
    locked = _locked_copy(deduction_list)
    changed, added, removed = form.changes()
    changed = _keep_newer(locked, form, changed)
    # Changed lines are written back by delete and insert (same ids and positions): two
    # statements per batch, where an UPDATE per line or a CASE per column is far slower.
    stale = [line.pk for line in [*changed, *removed]]
    for start in range(0, len(stale), BATCH):
        DeductionListLine.objects.filter(pk__in=stale[start : start + BATCH]).delete()
    for line in changed:  # a changed line is no longer as copied (deductions.lists.fill)
        line.copied_from_previous = False
    DeductionListLine.objects.bulk_create(changed, batch_size=BATCH)
    _append(locked, added)
    removed_ids = {line.pk for line in removed}
    lines = [line for line in form.lines if line.pk not in removed_ids] + added
    _count(locked, lines)
    locked.updated_by = actor
    locked.source = DeductionList.Source.FORM
    locked.save()
    AuditEvent.objects.record(
        "list_edited" if locked.version else "list_draft_saved",
        request=request,
        actor=actor,
        employer=locked.basis.employer,
        obj=locked,
        changed=len(changed),
        added=len(added),
        removed=len(removed),
        total=str(locked.total),
        **({"conflicts": len(form.conflicts)} if form.conflicts else {}),
    )
    return locked


@dataclass
class Autosaved:
    """What an autosave wrote: `changed` lines, `added` persons (new lines, each with the
    `prefix` of its row; one already added by an earlier send of the same row is among them,
    not added twice), `taken`: the prefixes of rows whose person is on the list already with
    other values, and each line's fingerprint as its user now sees it (by position; not for a
    conflict, whose user has not yet chosen)."""

    changed: list
    added: list
    taken: list
    fingerprints: dict


@transaction.atomic
def list_autosave_lines(*, deduction_list, form, actor, request=None):
    """Saves a valid ListForm of a few lines (those typed in since the last autosave; the
    other lines are not in it, and stay as they are) and of the new persons complete enough
    to add. Audited only when something changed."""
    locked = _locked_copy(deduction_list)
    changed, added, _removed = form.changes()
    fingerprints = {line.position: line.fingerprint for line in form.lines}
    changed = _keep_newer(locked, form, changed)
    for conflict in form.conflicts:
        fingerprints.pop(conflict.position, None)
    added, repeated, taken = _not_yet_on_list(locked, added)
    result = Autosaved(changed, repeated, taken, fingerprints)
    if not changed and not added:
        return result
    _write_back(changed)
    _append(locked, added)
    result.added = added + repeated
    _count(locked, list(locked.lines.all()))
    locked.updated_by = actor
    locked.source = DeductionList.Source.FORM
    locked.save()
    AuditEvent.objects.record(
        "list_edited" if locked.version else "list_draft_saved",
        request=request,
        actor=actor,
        employer=locked.basis.employer,
        obj=locked,
        changed=len(changed),
        added=len(added),
        autosaved=True,
        total=str(locked.total),
        **({"conflicts": len(form.conflicts)} if form.conflicts else {}),
    )
    return result


def _append(locked, added):
    """New persons' lines, at the end of the list (positions counted under the list's lock,
    so two saves at the same moment cannot take the same one)."""
    if not added:
        return
    last = locked.lines.aggregate(last=Max("position"))["last"]
    next_position = -1 if last is None else last
    for offset, line in enumerate(added, start=1):
        line.deduction_list = locked
        line.position = next_position + offset
    DeductionListLine.objects.bulk_create(added, batch_size=BATCH)


def _not_yet_on_list(locked, added):
    """The new persons not on the list yet; those added to it with the same name and values
    (a second send of a save whose answer was lost, or a double send), and the rows of those
    on it otherwise. Checked under the list's lock, so no person is added twice."""
    if not added:
        return [], [], []
    on_list = {
        national_id: (basis_line is None, name, line_fingerprint(*values))
        for national_id, basis_line, name, *values in locked.lines.filter(
            national_id__in=[line.national_id for line in added]
        ).values_list("national_id", "basis_line", "name", *FINGERPRINTED)
    }
    new, repeated, taken = [], [], []
    for line in added:
        there = on_list.get(line.national_id)
        if there is None:
            new.append(line)
        elif there == (True, line.name, line.fingerprint):
            repeated.append(line)
        else:
            taken.append(line.prefix)
    return new, repeated, taken


def _write_back(lines):
    """Changed lines by delete and insert (same ids and positions): see list_save."""
    stale = [line.pk for line in lines]
    for start in range(0, len(stale), BATCH):
        DeductionListLine.objects.filter(pk__in=stale[start : start + BATCH]).delete()
    DeductionListLine.objects.bulk_create(lines, batch_size=BATCH)


FINGERPRINTED = ("dues", "home_insurance", "travel_insurance", "reason", "comment")
FIELD_LABELS = {
    "dues": "Kontingent",
    "home": "Innboforsikring",
    "travel": "Reiseforsikring",
    "reason": "Ikke trukket",
    "comment": "Kommentar",
}


@dataclass
class Conflict:
    """A line its user changed after a colleague had changed it since the page showed it:
    left as the colleague saved it. `was` is the saved values' fingerprint."""

    position: int
    name: str
    mine: dict  # the form's values (as typed, by field: dues, home, travel, reason, comment)
    saved: dict  # the saved values, as the form shows them
    was: str
    by: str
    at: datetime | None

    @property
    def fields(self):
        return [name for name in FIELD_LABELS if _shown(name, self.mine) != self.saved[name]]

    @property
    def message(self):
        who = f" av {self.by}" if self.by else ""
        when = f" kl. {localtime(self.at):%H:%M}" if self.at else ""
        differences = "; ".join(self.difference(name) for name in self.fields)
        return f"Linjen ble endret{who}{when} etter at du åpnet listen: {differences}."

    def difference(self, name):
        label, mine, saved = FIELD_LABELS[name], _shown(name, self.mine), self.saved[name]
        if name in ("reason", "comment"):
            if name == "reason":
                mine, saved = _reason_label(mine), _reason_label(saved)
            return f"{label}: ditt valg «{mine}», lagret «{saved}»"
        return f"{label}: ditt beløp {mine or '0,00'}, lagret beløp {saved or '0,00'}"

    def as_json(self):
        return {
            "position": self.position,
            "fields": self.fields,
            "message": self.message,
            "saved": self.saved,
            "was": self.was,
        }


def _reason_label(value):
    return dict(Reason.choices).get(value, "Trukket") if value else "Trukket"


def _shown(name, values):
    """A typed value as the form shows it once saved (`1234.5` is `1 234,50`; the amounts of
    a line not deducted are 0, and only such a line keeps a comment)."""
    value, reason = values.get(name, "").strip(), values.get("reason", "")
    if name == "reason":
        return value
    if name == "comment":
        return value if reason else ""
    if reason:
        return money.cell(ZERO)
    try:
        amount = parse_amount(value)
    except AmountError:
        return value
    return money.cell(amount) if amount or name != "dues" else ""


def _saved_values(dues, home, travel, reason, comment):
    """The values of a saved line as the form's inputs show them (ListForm._row_for)."""
    return {
        "dues": money.cell(dues) if dues or reason else "",
        "home": money.cell(home),
        "travel": money.cell(travel),
        "reason": reason,
        "comment": comment,
    }


def _keep_newer(locked, form, changed):
    """Of the changed lines, those that may be written. A line the page sent a fingerprint
    for is written only if its user changed it and nobody else did since; the others are put
    back to their saved values (so the list's counts stay right), and those both changed
    are the form's conflicts. Lines without a fingerprint (old pages, scripts) as before."""
    rows = {row.line.pk: row for row in form.rows if row.was}
    candidates = [line for line in changed if line.pk in rows]
    if not candidates:
        return changed
    saved = {}
    pks = [line.pk for line in candidates]
    for start in range(0, len(pks), BATCH):
        batch = DeductionListLine.objects.filter(pk__in=pks[start : start + BATCH])
        for pk, *values in batch.values_list("pk", *FINGERPRINTED):
            saved[pk] = values
    keep = [line for line in changed if line.pk not in rows]
    by = locked.updated_by.full_name if locked.updated_by else ""
    for line in candidates:
        row, values = rows[line.pk], saved.get(line.pk)
        if values is None:  # removed meanwhile: nothing to write to
            continue
        mine, theirs = line.fingerprint, line_fingerprint(*values)
        if theirs == row.was and mine != row.was:
            keep.append(line)
            continue
        if mine not in (row.was, theirs):
            form.conflicts.append(
                Conflict(
                    position=line.position,
                    name=line.name,
                    mine=dict(row.values),
                    saved=_saved_values(*values),
                    was=theirs,
                    by=by,
                    at=locked.updated_at,
                )
            )
        line.dues, line.home_insurance, line.travel_insurance, line.reason, line.comment = values
        line.total = line.dues + line.home_insurance + line.travel_insurance
    return keep


@transaction.atomic
def list_replace_from_upload(*, deduction_list, result, upload, actor, request=None):
    """The list's lines become the uploaded file's rows; the file is kept under a new name."""
    locked = _locked_copy(deduction_list)
    basis_ids = dict(
        locked.basis.deducted_lines().values_list("national_id", "pk").iterator(chunk_size=2000)
    )
    locked.lines.all().delete()
    lines = []
    for position, row in enumerate(result.rows):
        line = DeductionListLine(
            deduction_list=locked,
            position=position,
            basis_line_id=basis_ids.get(row.national_id),
            national_id=row.national_id,
            name=row.name,
            reason=row.reason,
            comment=row.comment if row.reason else "",
        )
        line.set_amounts(row.dues, row.home, row.travel)
        lines.append(line)
    DeductionListLine.objects.bulk_create(lines, batch_size=BATCH)
    _count(locked, lines)
    if locked.original_file:
        locked.original_file.delete(save=False)
    upload.seek(0)
    locked.original_file.save(upload.name or "trekkliste", upload, save=False)
    locked.original_filename = (upload.name or "")[:255]
    locked.source = DeductionList.Source.UPLOAD
    locked.updated_by = actor
    locked.save()
    AuditEvent.objects.record(
        "list_uploaded",
        request=request,
        actor=actor,
        employer=locked.basis.employer,
        obj=locked,
        rows=len(lines),
        total=str(locked.total),
    )
    return locked


def list_deliver(*, deduction_list, actor, request=None):
    """Delivers the list: one transaction; a second submit finds it delivered and does nothing.

    The delivery's PDF is not made here: it is queued for the task worker once the delivery
    commits (`deductions.lists.pdfs`).

    Returns True when this call delivered it.
    """
    with transaction.atomic():
        try:
            locked = _locked_copy(deduction_list)
        except ListLocked:
            return False
        lines = list(locked.lines.all())
        deviations = reconcile(locked, lines)
        now = timezone.now()
        locked.version += 1
        locked.status = DeductionList.Status.DELIVERED
        locked.delivered_at = now
        locked.delivered_by = actor
        locked.line_count = len(lines)
        locked.total = sum((line.total for line in lines), ZERO)
        locked.deviation_count = len(deviations)
        locked.save()
        delivery = ListDelivery(
            deduction_list=locked,
            number=locked.version,
            delivered_at=now,
            delivered_by=actor,
            line_count=locked.line_count,
            total=locked.total,
            deviation_count=len(deviations),
            lines=[_snapshot(line) for line in lines],
        )
        delivery.save()
        AuditEvent.objects.record(
            "list_redelivered" if locked.version > 1 else "list_delivered",
            request=request,
            actor=actor,
            employer=locked.basis.employer,
            obj=locked,
            version=locked.version,
            lines=locked.line_count,
            total=str(locked.total),
            deviations=len(deviations),
        )
        delivery_pdf_enqueue(delivery=delivery)
    deduction_list.refresh_from_db()
    return True


def _snapshot(line):
    return {
        "national_id": line.national_id,
        "name": line.name,
        "dues": str(line.dues),
        "home_insurance": str(line.home_insurance),
        "travel_insurance": str(line.travel_insurance),
        "total": str(line.total),
        "reason": line.reason,
        "comment": line.comment,
        "on_basis": line.basis_line_id is not None,
    }


def _announce_reopening(deduction_list, *, reason, actor):
    """A secure message to every contact of the employer: otherwise they find «Gjenåpnet» by
    chance. Its notice goes through the outbox like every other message's."""
    period = deduction_list.basis.period
    messages_send_to_employer(
        sender=actor,
        employer=deduction_list.basis.employer,
        subject=f"{deduction_list.get_kind_display()} for {period.table_label} er åpnet igjen",
        body=render_to_string(
            "deductions/lists/messages/reopened.txt",
            {
                "deduction_list": deduction_list,
                "period": period,
                "reason": reason,
                "list_url": settings.SITE_URL
                + reverse("deductions:list_edit", args=[deduction_list.public_id]),
            },
        ),
    )


@transaction.atomic
def list_reopen(*, deduction_list, reason, actor, request=None):
    """Staff reopen a delivered list so the contact can edit and deliver it again."""
    locked = DeductionList.objects.select_for_update().get(pk=deduction_list.pk)
    if not locked.is_delivered:
        raise ReopenRefused("Listen er ikke levert, og er allerede åpen for endringer.")
    if locked.basis.lists.open().exists():
        raise ReopenRefused(
            "En annen liste for samme måned er under arbeid. Den må leveres før denne kan "
            "gjenåpnes."
        )
    locked.status = DeductionList.Status.REOPENED
    locked.reopen_reason = reason
    locked.save(update_fields=["status", "reopen_reason", "updated_at"])
    AuditEvent.objects.record(
        "list_reopened",
        request=request,
        actor=actor,
        employer=locked.basis.employer,
        obj=locked,
        reason=reason,
        version=locked.version,
    )
    _announce_reopening(locked, reason=reason, actor=actor)
    deduction_list.refresh_from_db()

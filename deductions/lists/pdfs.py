"""The PDF of a delivered list: queued at delivery, rendered by the task worker, then kept.

No request renders it: WeasyPrint needs about 8 s a 1,000 lines, too long for a contact to
wait on. Until it exists the download link answers with a page that says it is being made.
"""

from decimal import Decimal
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from deductions.lists.reconciliation import reconcile
from deductions.models import DeductionListLine, ListDelivery
from deductions.pending import may_queue, pdf_render_claimed
from trekkportal.pdf import render_pdf


def delivery_pdf_enqueue(*, delivery, again=False):
    """Queues the delivery's PDF once the transaction commits. A conditional UPDATE lets only
    the first caller queue it (or one whose task is lost, see `may_queue`), or `again` after a
    failure; one made already is never queued."""
    rows = ListDelivery.objects.filter(pk=delivery.pk, pdf="")
    if not again:
        rows = rows.filter(may_queue())
    if rows.update(pdf_queued_at=timezone.now(), pdf_failed_at=None):
        transaction.on_commit(partial(render_list_pdf.enqueue, delivery.pk))


def pdfs_enqueue_missing():
    """Queues the PDF of every delivery never queued (delivered before the worker ran, or
    its enqueue lost); returns how many. A failed one waits for «Prøv igjen»."""
    pending = ListDelivery.objects.filter(pdf="", pdf_queued_at=None).order_by("delivered_at")
    queued = 0
    for delivery in pending.only("pk"):
        delivery_pdf_enqueue(delivery=delivery)
        queued += 1
    return queued


@task()
def render_list_pdf(delivery_pk):
    """Renders one delivery's PDF (claimed, once; a failure marked: `pdf_render_claimed`)."""
    rows = ListDelivery.objects.filter(pdf="").select_related("deduction_list__basis__employer")
    pdf_render_claimed(rows, delivery_pk, lambda delivery: delivery_pdf(delivery=delivery))


def delivery_pdf(*, delivery):
    """The PDF of one delivery: rendered once from its lines as delivered, then kept in storage."""
    if delivery.pdf:
        with delivery.pdf.open("rb") as stored:
            return stored.read()
    deduction_list = delivery.deduction_list
    lines = [_line_from_snapshot(deduction_list, row) for row in delivery.lines]
    content = render_pdf(
        "deductions/lists/list_pdf.html",
        {
            "deduction_list": deduction_list,
            "basis": deduction_list.basis,
            "lines": lines,
            "deviations": reconcile(deduction_list, lines),
            "delivery": delivery,
        },
    )
    field = delivery.pdf
    name = field.storage.save(
        field.field.generate_filename(delivery, "trekkliste.pdf"), ContentFile(content)
    )
    # Two renders may finish at once: the first to record its file wins, the other's goes.
    if ListDelivery.objects.filter(pk=delivery.pk, pdf="").update(pdf=name):
        delivery.pdf = name
    else:
        field.storage.delete(name)
        delivery.refresh_from_db(fields=["pdf"])
    return content


def _line_from_snapshot(deduction_list, row):
    line = DeductionListLine(
        deduction_list=deduction_list,
        national_id=row["national_id"],
        name=row["name"],
        reason=row["reason"],
        comment=row["comment"],
    )
    line.set_amounts(
        Decimal(row["dues"]), Decimal(row["home_insurance"]), Decimal(row["travel_insurance"])
    )
    return line

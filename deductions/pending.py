"""PDFs made by the task worker: the claimed render, and the page a PDF link answers with
until the file exists.

It refreshes itself (a meta refresh, no script, so the CSP stays strict) and, once the file
exists, the same URL answers with the download. A failed render offers «Prøv igjen», a POST
to the same URL that queues it again.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 2
# django-tasks-db does not retry a task whose worker was killed: its row stays «Running». A PDF
# queued this long ago without a result is queued again by the next request for it (a render
# is claimed and idempotent, so one that was alive after all costs nothing more).
REQUEUE_AFTER = timedelta(minutes=10)


def may_queue():
    """Rows whose PDF may be queued without «Prøv igjen»: never queued, or queued so long ago
    that its task is taken to be lost. A failed one waits for «Prøv igjen»."""
    lost = Q(pdf_queued_at__lt=timezone.now() - REQUEUE_AFTER)
    return (Q(pdf_queued_at=None) | lost) & Q(pdf_failed_at=None)


def pdf_pending(request, *, what, failed, back_url):
    """`what` names the PDF in Norwegian ("trekklisten for februar 2025, versjon 1")."""
    return render(
        request,
        "deductions/pdf_pending.html",
        {
            "what": what,
            "failed": failed,
            "back_url": back_url,
            "refresh_seconds": None if failed else REFRESH_SECONDS,
        },
    )


def pdf_render_claimed(rows, pk, render):
    """Runs `render(row)` on the row `pk` of `rows` (those still without their PDF), claimed
    with a lock other workers skip, so two never render the same one; one made already is not
    made again. A failure is logged and marked on the row (its page offers «Prøv igjen»), then
    raised to fail the task."""
    with transaction.atomic():
        row = rows.filter(pk=pk).select_for_update(skip_locked=True, of=("self",)).first()
        if row is None:  # made already, or another worker has it
            return
        try:
            render(row)
            error = None
        except Exception as exc:
            logger.exception("PDF of %s %s failed", rows.model._meta.model_name, pk)
            rows.model.objects.filter(pk=pk).update(pdf_failed_at=timezone.now())
            error = exc
    if error is not None:
        raise error

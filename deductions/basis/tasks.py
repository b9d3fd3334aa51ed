"""The basis's background work, run by the task worker (`manage.py db_worker`): the member
import, and the PDFs of a published month.

Arguments are keys (the import's `ref`, a basis's pk, a period's index): the task row in the
database holds nothing else, and the rows themselves say what to do.
"""

from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from deductions.basis import exports
from deductions.basis import member_import as imports
from deductions.models import Basis, MemberImport
from deductions.pending import may_queue, pdf_render_claimed
from deductions.period import Period

# A PDF someone is waiting for goes before the month's bulk queued at publication.
WAITED_FOR = 10
WITHOUT_PDF = Q(full_pdf="") | Q(changes_pdf="")


@task()
def check_member_import(ref):
    """Reads and checks an uploaded file; a second run of a finished check does nothing."""
    member_import = MemberImport.objects.filter(
        ref=ref, status=MemberImport.Status.CHECKING
    ).first()
    if member_import is not None:
        imports.member_import_check(member_import=member_import)


@task()
def run_member_import(ref, attempt):
    """Imports a confirmed file (`member_import_apply` makes a second run a no-op)."""
    imports.member_import_apply(ref=ref, attempt=attempt)


def basis_pdfs_enqueue(*, basis, again=False, waited_for=False):
    """Queues the basis's PDFs once the transaction commits. A conditional UPDATE lets only
    the first caller queue them (or one whose task is lost, see `may_queue`), or `again` after
    a failure; made ones are never queued. One someone waits for goes ahead of the rest."""
    rows = Basis.objects.filter(WITHOUT_PDF, pk=basis.pk)
    if not again:
        rows = rows.filter(may_queue())
    if rows.update(pdf_queued_at=timezone.now(), pdf_failed_at=None):
        queued = render_basis_pdfs.using(priority=WAITED_FOR) if waited_for else render_basis_pdfs
        transaction.on_commit(partial(queued.enqueue, basis.pk))


@task()
def queue_month_pdfs(period_index):
    """Queues the PDFs of a month just published, the largest employers first: theirs take
    longest, and are the ones most likely to be opened at once. Not once a later month is
    published (the demo's three years, missing months published first): an older month's PDFs
    are made on first request."""
    period = Period.from_index(period_index)
    if Basis.objects.published().filter(period__gt=period).exists():
        return
    bases = (
        Basis.objects.published()
        .filter(WITHOUT_PDF, period=period, pdf_queued_at=None)
        .order_by("-line_count", "pk")
    )
    for basis in bases.only("pk"):
        basis_pdfs_enqueue(basis=basis)


@task()
def render_basis_pdfs(basis_pk):
    """Renders both views of one basis (claimed, once; a failure marked: `pdf_render_claimed`)."""
    rows = Basis.objects.filter(WITHOUT_PDF).select_related("employer")
    pdf_render_claimed(rows, basis_pk, _render_both_views)


def _render_both_views(basis):
    for view in exports.VIEWS:
        exports.as_pdf(basis, view)  # a view stored already is read, not rendered

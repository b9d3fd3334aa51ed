"""The member import's background work, run by the task worker (`manage.py db_worker`).

Arguments are the import's `ref` (and the attempt the import task was queued under): the task
row in the database holds nothing else, and the `MemberImport` row says what to do.
"""

from django_tasks import task

from deductions.basis import member_import as imports
from deductions.models import MemberImport


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

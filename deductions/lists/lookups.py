"""The one way views fetch a deduction list: by its UUID, scoped to the active role's employer."""

import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404

from deductions.models import DeductionList


def get_list_or_404(request, public_id):
    """The list `public_id` of the active role's employer; anything else (another employer's
    list, an unknown or malformed reference) is a 404."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("Ukjent trekkliste.") from None
    return get_object_or_404(
        DeductionList.objects.select_related("basis__employer"),
        public_id=public_id,
        basis__employer=request.role.employer,
        basis__status="published",
    )

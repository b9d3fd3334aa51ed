"""The one way views fetch a month's basis: scoped to the active role's employer."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from deductions.models import Basis
from deductions.period import Period


def get_basis_or_404(request, period_slug):
    """The published basis of `period_slug` (`2021-03`) for the active role's employer.

    Another employer's month, an unpublished month or a malformed period: 404.
    """
    try:
        period = Period.parse(period_slug)
    except ValueError:
        raise Http404("Ukjent måned.") from None
    return get_object_or_404(
        Basis.objects.published().select_related("employer"),
        employer=request.role.employer,
        period=period,
    )

"""The one way views fetch a month's basis: scoped to the active role's employer."""

from django.shortcuts import get_object_or_404

from deductions.models import Basis


def get_basis_or_404(request, period):
    """The published basis of `period` for the active role's employer.

    Another employer's month or an unpublished month: 404.
    """
    return get_object_or_404(
        Basis.objects.published().select_related("employer"),
        employer=request.role.employer,
        period=period,
    )

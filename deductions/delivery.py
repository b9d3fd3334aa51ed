"""What the deduction lists tell the monthly cycle: who delivered a period's list, and its total.

Hooks for the deduction lists (issue 4). Until they exist nobody has delivered and there is no
total; the lists replace the two bodies below with queries on their own models.
"""

from django.db import models
from django.db.models import Value

from employers.models import Employer


def delivered_employers(period):
    """Employers that delivered a list for `period`, as a values("pk") queryset."""
    return Employer.objects.none().values("pk")


def list_total(*, employer_ref="pk", period=None, period_ref=None):
    """The delivered lists' total for the outer row's employer and `period` (or the outer row's
    period, `period_ref`), as an expression for annotate(); NULL when nothing is delivered."""
    return Value(None, output_field=models.DecimalField(max_digits=14, decimal_places=2))

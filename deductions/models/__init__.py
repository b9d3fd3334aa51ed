"""The deduction models, one module per part: members and their history, rates, the basis,
the lists, the cycle's mail and the payments."""

from deductions.models.basis import Basis, BasisLine
from deductions.models.lists import DeductionList, DeductionListLine, ListDelivery, Reason
from deductions.models.member_imports import MemberImport
from deductions.models.members import Category, Deduction, Member, validate_national_id
from deductions.models.rates import Rate

__all__ = [
    "Basis",
    "BasisLine",
    "Category",
    "Deduction",
    "DeductionList",
    "DeductionListLine",
    "ListDelivery",
    "Member",
    "MemberImport",
    "Rate",
    "Reason",
    "validate_national_id",
]
from deductions.models import wording  # noqa: E402, F401
from deductions.models.payments import OcrImport, Payment  # noqa: E402, F401

"""Contacts to mail, payments and delivered lists for the cycle's tests (the real SMTP server
on 127.0.0.1 is `tests.smtp`'s `smtp_server`)."""

from accounts.models import Role
from tests.conftest import make_user


def add_contact(username, name, address, *employers):
    user = make_user(username, name, email=address)
    for employer in employers:
        Role.objects.create(user=user, employer=employer)
    return user


def pay(employer, period, amount, kid="", key=None):
    """A payment as if read from an OCR file (employer None: an unknown KID)."""
    from decimal import Decimal
    from uuid import uuid4

    from deductions.models import OcrImport, Payment

    ocr_import = OcrImport.objects.create(filename="ocr.txt", sha256=uuid4().hex)
    return Payment.objects.create(
        ocr_import=ocr_import,
        transaction_key=key or uuid4().hex,
        kid=kid,
        amount=Decimal(amount),
        paid_on=period.first_day() if period else ocr_import.uploaded_at.date(),
        employer=employer,
        period=period,
    )


def deliver_list(employer, period, total, kind="main"):
    """A delivered deduction list of `employer`'s published basis for `period`."""
    from decimal import Decimal

    from django.utils import timezone

    from deductions.models import Basis, DeductionList

    return DeductionList.objects.create(
        basis=Basis.objects.get(employer=employer, period=period),
        kind=kind,
        status=DeductionList.Status.DELIVERED,
        delivered_at=timezone.now(),
        version=1,
        total=Decimal(total),
    )

"""Reading the bank's OCR giro files (Nets OCR) with netsgiro: payments, nothing else."""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import netsgiro


class OcrError(ValueError):
    """The file is not an OCR giro file we can read; the message is for staff."""


@dataclass(frozen=True)
class OcrPayment:
    kid: str
    amount: Decimal
    paid_on: date
    debit_account: str
    key: str


@dataclass(frozen=True)
class OcrFile:
    transmission_number: str
    payments: list


def _key(assignment, transaction):
    """The same payment in two files has the same key: the bank's settlement numbers and the
    payment's own facts."""
    parts = [
        assignment.account,
        transaction.date.isoformat() if transaction.date else "",
        transaction.centre_id,
        transaction.day_code,
        transaction.partial_settlement_number,
        transaction.partial_settlement_serial_number,
        transaction.form_number,
        transaction.reference,
        transaction.kid,
        transaction.amount_in_cents,
        transaction.debit_account,
    ]
    text = "|".join("" if part is None else str(part).strip() for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()


def read_ocr(content):
    """The payments in an OCR giro file (bytes). Raises OcrError with a Norwegian message."""
    try:
        text = content.decode("iso-8859-1")
    except (AttributeError, UnicodeDecodeError):
        raise OcrError("Filen kan ikke leses som tekst.") from None
    try:
        transmission = netsgiro.parse(text)
    except ValueError as error:
        raise OcrError(f"Filen er ikke en OCR-fil fra banken ({error}).") from None
    payments = [
        OcrPayment(
            kid=(transaction.kid or "").strip(),
            amount=Decimal(transaction.amount).quantize(Decimal("0.01")),
            paid_on=transaction.date,
            debit_account=(transaction.debit_account or "").strip(),
            key=_key(assignment, transaction),
        )
        for assignment in transmission.assignments
        if assignment.service_code == netsgiro.ServiceCode.OCR_GIRO
        for transaction in assignment.transactions
    ]
    return OcrFile(transmission_number=transmission.number, payments=payments)

"""OCR giro files as the bank sends them, built with netsgiro."""

from datetime import date
from decimal import Decimal

import netsgiro


def ocr_file(payments, transmission="1000081", first_serial=1, paid_on=date(2021, 3, 20)):
    """An OCR giro file (bytes) with one payment per (kid, amount); serial numbers from
    `first_serial`, which with the date makes each payment's bank reference."""
    transmission = netsgiro.Transmission(
        number=transmission,
        data_transmitter="55555555",
        data_recipient=netsgiro.NETS_ID,
        date=paid_on,
    )
    assignment = transmission.add_assignment(
        service_code=netsgiro.ServiceCode.OCR_GIRO,
        assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
        number="4000086",
        account="90010741504",
        date=paid_on,
    )
    for n, (kid, amount) in enumerate(payments, start=first_serial):
        assignment.transactions.append(
            netsgiro.Transaction(
                service_code=netsgiro.ServiceCode.OCR_GIRO,
                type=netsgiro.TransactionType.PURCHASE_WITH_TEXT,
                number=n,
                date=paid_on,
                amount=Decimal(amount),
                kid=kid,
                reference=f"{n:09d}",
                text=None,
                centre_id="13",
                day_code=paid_on.day,
                partial_settlement_number=1,
                partial_settlement_serial_number=f"{n:05d}",
                sign="0",
                form_number=f"{n:010d}",
                bank_date=paid_on,
                debit_account="12345678903",
                filler=None,
            )
        )
    return transmission.to_ocr().encode("iso-8859-1")

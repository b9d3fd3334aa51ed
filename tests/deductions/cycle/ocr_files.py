"""OCR giro files as the bank sends them, built with netsgiro, and netsgiro's own samples."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import netsgiro
import netsgiro.records
from netsgiro.records import TransmissionEnd

SAMPLES = Path(__file__).parent / "ocr_samples"


def sample(name):
    """One of netsgiro's sample files (see ocr_samples/README.md), as bytes."""
    return (SAMPLES / name).read_bytes()


def ocr_file(
    payments,
    transmission="1000081",
    first_serial=1,
    paid_on=date(2021, 3, 20),
    assignments=("4000086",),
):
    """An OCR giro file (bytes) with one payment per (kid, amount); serial numbers from
    `first_serial`, which with the date makes each payment's bank reference. With several
    assignment numbers, each assignment holds all the payments."""
    transmission = netsgiro.Transmission(
        number=transmission,
        data_transmitter="55555555",
        data_recipient=netsgiro.NETS_ID,
        date=paid_on,
    )
    for number in assignments:
        assignment = transmission.add_assignment(
            service_code=netsgiro.ServiceCode.OCR_GIRO,
            assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
            number=number,
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


def altered(content, record_type, nth=0, **changes):
    """The file with the `nth` record of `record_type` (a netsgiro.records class) changed, as a
    forged or damaged file would be: `altered(content, AssignmentEnd, total_amount=99)`."""
    lines = content.decode("iso-8859-1").splitlines()
    found = [
        i
        for i, line in enumerate(lines)
        if isinstance(netsgiro.records.parse(line)[0], record_type)
    ]
    i = found[nth]
    lines[i] = attrs.evolve(netsgiro.records.parse(lines[i])[0], **changes).to_ocr()
    return "\n".join(lines).encode("iso-8859-1")


def with_avtalegiro_agreements(content):
    """An OCR file (of one transaction) with netsgiro's sample assignment of 16 AvtaleGiro
    agreements added before its end record, as Nets may send to a payee with both services."""
    lines = content.splitlines()
    agreements = sample("avtalegiro_agreements.txt").splitlines()[1:-1]
    mixed = b"\n".join([*lines[:-1], *agreements, lines[-1]])
    return altered(mixed, TransmissionEnd, num_transactions=17, num_records=len(lines) + 18)

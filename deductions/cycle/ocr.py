"""Reading the bank's OCR giro files (Nets OCR) with netsgiro: payments, nothing else.

netsgiro reads each line well, but takes the file on trust: it does not compare the end
records' counts and sums with what it read, it stops a cut-off file with an `AssertionError`,
and it merges two assignments (or two transactions) that share a number, so one of them
vanishes. So the reader walks the records itself: a transmission start, assignments each closed
by its end record, the transmission end, and every count and sum an end record states equal to
what the file holds. Anything else refuses the whole file, with a message that says what is
wrong. A file of another Nets service (AvtaleGiro) is refused as what it is.
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import netsgiro
from netsgiro.records import (
    AssignmentEnd,
    AssignmentStart,
    AvtaleGiroAgreement,
    TransactionAmountItem1,
    TransactionAmountItem2,
    TransactionAmountItem3,
    TransactionSpecification,
    TransmissionEnd,
    TransmissionStart,
)

from deductions import money

NOT_OCR = "Filen er ikke en OCR-fil fra banken."
INCOMPLETE = "Filen er ikke en fullstendig OCR-fil: {}."
TOTALS = "Kontrollsummene i filen stemmer ikke, og ingenting er lest inn."
AVTALEGIRO = "Dette er en AvtaleGiro-fil, ikke en OCR-fil med innbetalinger (den har {})."


# netsgiro's record classes by record type (characters 7-8 of a line), built once:
# `netsgiro.records.parse` builds this for every file, and we parse a line at a time.
RECORD_CLASSES = {
    record_class.RECORD_TYPE: record_class
    for record_class in [
        TransmissionStart,
        TransmissionEnd,
        AssignmentStart,
        AssignmentEnd,
        TransactionAmountItem1,
        TransactionAmountItem2,
        TransactionAmountItem3,
        TransactionSpecification,
        AvtaleGiroAgreement,
    ]
}


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
    #: What the file holds besides OCR giro and is not read («16 AvtaleGiro-avtaler»).
    other_services: tuple = ()


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
    # Every byte is a character in ISO-8859-1, so decoding cannot fail; a file in another
    # encoding fails on its lines instead.
    lines = content.decode("iso-8859-1").strip().splitlines()
    start, groups, end = _transmission(_records(lines))
    others = tuple(
        _describe(group)
        for group in groups
        if group[0].service_code != netsgiro.ServiceCode.OCR_GIRO
    )
    if others and len(others) == len(groups):
        raise OcrError(AVTALEGIRO.format(" og ".join(others)))
    assignments = [_assignment(group) for group in groups]
    _check_totals(groups, assignments, end, record_count=len(lines))
    payments = [
        OcrPayment(
            kid=(transaction.kid or "").strip(),
            amount=Decimal(transaction.amount).quantize(Decimal("0.01")),
            paid_on=transaction.date,
            debit_account=(transaction.debit_account or "").strip(),
            key=_key(assignment, transaction),
        )
        for assignment in assignments
        if assignment.service_code == netsgiro.ServiceCode.OCR_GIRO
        for transaction in assignment.transactions
    ]
    return OcrFile(
        transmission_number=start.transmission_number,
        payments=payments,
        other_services=others,
    )


def _incomplete(problem):
    return OcrError(INCOMPLETE.format(problem))


def _records(lines):
    """[(line number, netsgiro record)]; a file whose first line is no transmission start is
    no OCR file at all, a bad line after it makes the file incomplete."""
    records = []
    for number, line in enumerate(lines, start=1):
        try:
            record = _record(line)
        except OcrError as error:
            if number == 1:
                raise OcrError(NOT_OCR) from None
            raise _incomplete(f"linje {number} {error}") from None
        if number == 1 and not isinstance(record, TransmissionStart):
            raise OcrError(NOT_OCR)
        records.append((number, record))
    if not records:
        raise OcrError(NOT_OCR)
    return records


def _record(line):
    if len(line) != 80:
        raise OcrError(f"har {len(line)} tegn, ikke 80")
    try:
        return RECORD_CLASSES[netsgiro.RecordType(int(line[6:8]))].from_string(line)
    except Exception:
        # netsgiro reports a bad line with whatever its check raised (ValueError, KeyError, an
        # attrs TypeError): for us each means the same, a line we cannot read.
        raise OcrError("er ikke en OCR-post vi kan lese") from None


def _transmission(records):
    """(start, [assignment records from start to end], end), or OcrError for a file that is
    not one whole transmission of whole assignments."""
    start = records[0][1]
    groups, group, end, seen = [], None, None, set()
    for number, record in records[1:]:
        if end is not None:
            raise _incomplete(f"linje {number} kommer etter sluttposten for forsendelsen")
        if isinstance(record, TransmissionStart):
            raise _incomplete(f"linje {number} starter en ny forsendelse")
        if isinstance(record, (AssignmentStart, TransmissionEnd)) and group is not None:
            raise _incomplete(f"oppdrag {group[0].assignment_number} mangler sluttpost")
        if isinstance(record, TransmissionEnd):
            end = record
        elif isinstance(record, AssignmentStart):
            if record.assignment_number in seen:
                raise _incomplete(f"oppdrag {record.assignment_number} står to ganger")
            seen.add(record.assignment_number)
            group, transactions = [record], set()
        elif group is None:
            raise _incomplete(f"linje {number} hører ikke til noe oppdrag")
        elif record.service_code != group[0].service_code:
            raise _incomplete(f"linje {number} hører til en annen tjeneste enn oppdraget")
        else:
            if isinstance(record, TransactionAmountItem1):
                if record.transaction_number in transactions:
                    raise _incomplete(
                        f"transaksjon {record.transaction_number} står to ganger "
                        f"i oppdrag {group[0].assignment_number}"
                    )
                transactions.add(record.transaction_number)
            group.append(record)
            if isinstance(record, AssignmentEnd):
                groups.append(group)
                group = None
    if group is not None:
        raise _incomplete(f"oppdrag {group[0].assignment_number} mangler sluttpost")
    if end is None:
        raise _incomplete("sluttposten for forsendelsen mangler")
    return start, groups, end


def _assignment(group):
    """netsgiro's Assignment of one assignment's records, built one assignment at a time (its
    Transmission would merge two assignments with one number)."""
    try:
        return netsgiro.Assignment.from_records(group)
    except Exception:
        # A transaction whose records are out of order or missing fails an assert, an index or
        # an attrs check in netsgiro; which one does not matter to the person uploading.
        raise _incomplete(
            f"oppdrag {group[0].assignment_number} har transaksjoner som ikke kan leses"
        ) from None


def _describe(group):
    """What an AvtaleGiro assignment holds, for the message that refuses or leaves it out."""
    count = sum(
        isinstance(record, (TransactionAmountItem1, AvtaleGiroAgreement)) for record in group
    )
    kind = {
        netsgiro.AssignmentType.AVTALEGIRO_AGREEMENTS: "AvtaleGiro-avtaler",
        netsgiro.AssignmentType.AVTALEGIRO_CANCELLATIONS: "slettinger av AvtaleGiro-krav",
    }.get(group[0].assignment_type, "AvtaleGiro-betalingskrav")
    return f"{count} {kind}"


def _check_totals(groups, assignments, end, *, record_count):
    """Every count and sum an end record states against what the file holds; OcrError naming
    each difference."""
    problems = []
    for group, assignment in zip(groups, assignments, strict=True):
        problems += _differences(
            f"Oppdrag {assignment.number}",
            group[-1],
            transactions=len(assignment.transactions),
            records=len(group),
            cents=_cents(assignment),
        )
    problems += _differences(
        "Forsendelsen",
        end,
        transactions=sum(len(assignment.transactions) for assignment in assignments),
        records=record_count,
        cents=sum(_cents(assignment) for assignment in assignments),
    )
    if problems:
        raise OcrError(" ".join([TOTALS, *problems]))


def _cents(assignment):
    return sum(
        getattr(transaction, "amount_in_cents", 0) for transaction in assignment.transactions
    )


def _differences(label, end, *, transactions, records, cents):
    problems = []
    if end.num_transactions != transactions:
        problems.append(
            f"{label}: sluttposten sier {end.num_transactions} transaksjoner, "
            f"filen har {transactions}."
        )
    if end.num_records != records:
        problems.append(f"{label}: sluttposten sier {end.num_records} poster, filen har {records}.")
    # An assignment of AvtaleGiro agreements states no amount.
    if end.total_amount is not None and end.total_amount != cents:
        problems.append(
            f"{label}: sluttposten sier {_kr(end.total_amount)} kr, "
            f"transaksjonene summerer {_kr(cents)} kr."
        )
    return problems


def _kr(cents):
    return money.kr(Decimal(cents) / 100)

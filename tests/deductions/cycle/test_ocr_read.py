"""The OCR reader takes payments only from a complete OCR giro file whose totals add up.

Our own files are built with netsgiro; netsgiro's sample files (ocr_samples/) are read beside
them, whole, cut off and altered.
"""

from datetime import date
from decimal import Decimal

import netsgiro
import pytest
from netsgiro.records import AssignmentEnd, TransactionAmountItem1, TransmissionEnd

from deductions.cycle.ocr import OcrError, read_ocr
from tests.deductions.cycle.ocr_files import (
    altered,
    ocr_file,
    sample,
    with_avtalegiro_agreements,
)

KID = "9019400176121038"
SAMPLES = [
    "ocr_giro_transactions.txt",
    "avtalegiro_agreements.txt",
    "avtalegiro_payment_request.txt",
]
INCOMPLETE = "Filen er ikke en fullstendig OCR-fil: "
TOTALS = "Kontrollsummene i filen stemmer ikke, og ingenting er lest inn."


def lines_of(content):
    return content.splitlines(keepends=True)


def test_netsgiros_ocr_giro_sample_is_read_in_full():
    parsed = read_ocr(sample("ocr_giro_transactions.txt"))

    assert parsed.transmission_number == "0170031"
    assert len(parsed.payments) == 20
    assert sum(payment.amount for payment in parsed.payments) == Decimal("51449.00")
    assert len({payment.key for payment in parsed.payments}) == 20
    assert parsed.other_services == ()


@pytest.mark.parametrize(
    "name, content",
    [
        ("avtalegiro_agreements.txt", "16 AvtaleGiro-avtaler"),
        ("avtalegiro_payment_request.txt", "6 AvtaleGiro-betalingskrav"),
    ],
)
def test_netsgiros_avtalegiro_samples_are_refused_as_what_they_are(name, content):
    with pytest.raises(OcrError) as refused:
        read_ocr(sample(name))
    assert str(refused.value) == (
        f"Dette er en AvtaleGiro-fil, ikke en OCR-fil med innbetalinger (den har {content})."
    )


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_cut_off_after_any_line_is_refused(name):
    lines = lines_of(sample(name))
    for kept in range(1, len(lines)):
        with pytest.raises(OcrError, match=INCOMPLETE):
            read_ocr(b"".join(lines[:kept]))


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_cut_off_inside_a_line_is_refused(name):
    content = sample(name)
    for length in range(85, len(content) - 1, 13):
        if content[length - 1 : length] == b"\n":
            continue  # a cut after a whole line is the test above
        with pytest.raises(OcrError, match=INCOMPLETE):
            read_ocr(content[:length])


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_with_a_line_left_out_is_refused(name):
    lines = lines_of(sample(name))
    for left_out in range(1, len(lines) - 1):
        with pytest.raises(OcrError):
            read_ocr(b"".join(lines[:left_out] + lines[left_out + 1 :]))


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_with_a_line_garbled_is_refused_never_crashes(name):
    lines = lines_of(sample(name))
    for i in range(len(lines)):
        line = lines[i].rstrip(b"\n")
        for garbled in [
            b"",
            b"x" * 80,
            line[:6] + b"99" + line[8:],  # no such record type
            line[:2] + b"21" + line[4:],  # the service code of AvtaleGiro
            line[:2] + b"09" + line[4:],  # the service code of OCR giro
            line[:-1],
            line.replace(b"0", b"9", 1),
        ]:
            if garbled == line:
                continue
            copy = b"".join(lines[:i] + [garbled + b"\n"] + lines[i + 1 :])
            with pytest.raises(OcrError):
                read_ocr(copy)


def test_a_changed_amount_in_the_sample_is_refused_by_the_control_totals():
    content = altered(sample("ocr_giro_transactions.txt"), TransactionAmountItem1, amount=112000)

    with pytest.raises(OcrError) as refused:
        read_ocr(content)

    assert str(refused.value) == (
        f"{TOTALS} Oppdrag 0000002: sluttposten sier 51\xa0449,00 kr, transaksjonene summerer "
        "51\xa0549,00 kr. Forsendelsen: sluttposten sier 51\xa0449,00 kr, transaksjonene "
        "summerer 51\xa0549,00 kr."
    )


def test_an_assignment_whose_end_record_states_another_total_is_refused():
    content = ocr_file([(KID, "154000.00"), (KID, "524.00")])
    forged = altered(content, AssignmentEnd, total_amount=99)

    with pytest.raises(OcrError) as refused:
        read_ocr(forged)

    assert str(refused.value) == (
        f"{TOTALS} Oppdrag 4000086: sluttposten sier 0,99 kr, transaksjonene summerer "
        "154\xa0524,00 kr."
    )


def test_a_transmission_whose_end_record_states_another_total_is_refused():
    content = ocr_file([(KID, "100.00")])
    forged = altered(content, TransmissionEnd, total_amount=99)

    with pytest.raises(OcrError, match="Forsendelsen: sluttposten sier 0,99 kr, transaksjonene"):
        read_ocr(forged)


def test_end_records_that_count_other_transactions_or_records_are_refused():
    content = ocr_file([(KID, "100.00"), (KID, "200.00")])

    with pytest.raises(OcrError) as refused:
        read_ocr(altered(content, AssignmentEnd, num_transactions=3, num_records=12))
    assert str(refused.value) == (
        f"{TOTALS} Oppdrag 4000086: sluttposten sier 3 transaksjoner, filen har 2. "
        "Oppdrag 4000086: sluttposten sier 12 poster, filen har 8."
    )

    with pytest.raises(OcrError, match="Forsendelsen: sluttposten sier 9 poster, filen har 10"):
        read_ocr(altered(content, TransmissionEnd, num_records=9))


def test_two_assignments_with_one_number_are_refused_not_merged():
    """netsgiro keys assignments by number: the second would replace the first."""
    content = ocr_file([(KID, "100.00")], assignments=("4000086", "4000086"))

    with pytest.raises(OcrError, match=f"{INCOMPLETE}oppdrag 4000086 står to ganger"):
        read_ocr(content)


def test_two_transactions_with_one_number_are_refused_not_merged():
    """netsgiro groups records by transaction number: the second payment would vanish."""
    content = ocr_file([(KID, "100.00"), (KID, "200.00")])
    lines = content.splitlines()
    for i in (5, 6, 7):  # the second transaction's three records
        lines[i] = lines[i][:8] + b"0000001" + lines[i][15:]

    with pytest.raises(OcrError, match=f"{INCOMPLETE}transaksjon 1 står to ganger"):
        read_ocr(b"\n".join(lines))


def test_a_file_that_is_no_ocr_file_at_all_says_so():
    for content in [b"", b"\n\n", b"navn;belop\nKari;100\n", b"x" * 80, "æøå".encode()]:
        with pytest.raises(OcrError, match="^Filen er ikke en OCR-fil fra banken"):
            read_ocr(content)


def test_an_ocr_giro_file_without_payments_is_read_as_such():
    assert read_ocr(ocr_file([])).payments == []
    transmission = netsgiro.Transmission(
        number="1000081",
        data_transmitter="55555555",
        data_recipient=netsgiro.NETS_ID,
        date=date(2021, 3, 20),
    )
    assert read_ocr(transmission.to_ocr().encode()).payments == []


def test_avtalegiro_agreements_beside_ocr_giro_payments_are_left_out_and_named():
    parsed = read_ocr(with_avtalegiro_agreements(ocr_file([(KID, "100.00")])))

    assert [payment.amount for payment in parsed.payments] == [Decimal("100.00")]
    assert parsed.other_services == ("16 AvtaleGiro-avtaler",)


def test_crlf_line_ends_and_a_final_newline_are_read():
    content = ocr_file([(KID, "100.00")])
    assert len(read_ocr(content.replace(b"\n", b"\r\n") + b"\r\n").payments) == 1

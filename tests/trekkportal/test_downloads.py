from decimal import Decimal

import pytest

from deductions.basis.exports import Table, csv_rows
from trekkportal.downloads import neutralise, streamed_csv


@pytest.mark.parametrize(
    "text", ["=SUM(A1)", "+47", "-2+3+cmd|' /C calc'!A0", "-2 ", "@cmd", "\tx", "\rx"]
)
def test_formula_like_text_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Hauge Linda", "", "01010012356", Decimal("-5.00"), None])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("text", ["-5,00", "-1234,50", "-2", "-0.5"])
def test_a_negative_number_written_as_text_stays_a_number(text):
    assert neutralise(text) == text


def test_csv_is_for_norwegian_excel_with_a_bom_semicolons_and_crlf():
    response = streamed_csv("liste.csv", ["Navn", "Antall"], [["=cmd", 3], [None, 0]])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="liste.csv"'
    assert response.getvalue() == "\ufeffNavn;Antall\r\n'=cmd;3\r\n;0\r\n".encode()


def test_a_table_writes_amounts_with_decimal_commas_and_quotes_separators():
    table = Table("t", ["Navn", "Sum"], [["Berg; Per", Decimal("1234.50")]], ["Sum", Decimal("1")])
    text = streamed_csv("t.csv", table.header, csv_rows(table)).getvalue().decode("utf-8-sig")
    assert text.splitlines() == ["Navn;Sum", '"Berg; Per";1234,50', "Sum;1,00"]

from decimal import Decimal

import pytest

from deductions.basis.exports import Table, as_csv, neutralise


@pytest.mark.parametrize("text", ["=SUM(A1)", "+47", "-2", "@cmd", "\tx", "\rx"])
def test_formula_like_text_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Hauge Linda", "", "01010012356", Decimal("-5.00"), None])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


def test_csv_writes_amounts_with_decimal_commas_and_quotes_separators():
    table = Table("t", ["Navn", "Sum"], [["Berg; Per", Decimal("1234.50")]], None)
    text = as_csv(table).decode("utf-8-sig")
    assert text.splitlines()[1] == '"Berg; Per";1234,50'

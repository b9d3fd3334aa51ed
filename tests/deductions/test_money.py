from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils.formats import number_format

from deductions import money

AMOUNTS = [Decimal("0"), Decimal("85.00"), Decimal("1234.5"), Decimal("-1234567.89")]


@pytest.mark.parametrize("amount", AMOUNTS)
def test_kr_reads_as_floatformat_does_in_norwegian(amount):
    expected = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    assert money.kr(amount) == expected


@pytest.mark.parametrize("amount", AMOUNTS)
def test_a_cell_has_a_decimal_comma_and_no_grouping_so_excel_reads_a_number(amount):
    assert money.cell(amount) == number_format(amount, decimal_pos=2, use_l10n=True)


def test_no_amount_is_an_empty_cell():
    assert money.cell(None) == ""


def test_the_template_filter_is_the_same_formatter():
    rendered = Template("{% load deductions_tags %}{{ amount|kr }}").render(
        Context({"amount": Decimal("1234.5")})
    )
    assert rendered == "1\u00a0234,50"


@override_settings(PAYMENT_ACCOUNT="12345678903")
def test_the_account_reads_as_on_a_giro():
    assert money.account_text() == "1234 56 78903"
    assert money.account_text("90010741504") == "9001 07 41504"

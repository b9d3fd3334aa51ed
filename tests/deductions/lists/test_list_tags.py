from decimal import Decimal

from django.utils.formats import number_format

from deductions.templatetags.list_tags import kr


def test_kr_reads_as_floatformat_does_in_norwegian():
    for amount in (Decimal("0"), Decimal("85.00"), Decimal("1234.5"), Decimal("1234567.89")):
        expected = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
        assert kr(amount) == expected

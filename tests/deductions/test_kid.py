import pytest

from deductions.kid import kid_for, parse_kid
from deductions.period import Period


@pytest.mark.parametrize(
    ("employer_number", "period", "kid"),
    [
        ("94001761", Period(2021, 1), "9019400176121012"),
        ("00080000", Period(2021, 2), "9010008000021024"),
        ("00080000", Period(2021, 3), "9010008000021032"),
    ],
)
def test_kid_matches_the_guides_examples(employer_number, period, kid):
    assert kid_for(employer_number, period) == kid
    assert parse_kid(kid) == (employer_number, period)


def test_kid_with_a_wrong_check_digit_is_refused():
    with pytest.raises(ValueError):
        parse_kid("9010008000021033")

"""Synthetic national ID numbers for demo data and tests: valid check digits, fictional people.

Birth dates are real calendar days; individual numbers count up, so each `n` gives a different,
valid fødselsnummer.
"""

from datetime import date, timedelta

from stdnum.no import fodselsnummer

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check(digits, weights):
    rest = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return 0 if rest == 11 else rest


def synthetic_national_id(n):
    """The n-th synthetic fødselsnummer (n >= 0), born 1960-1999."""
    birth = date(1960, 1, 1) + timedelta(days=(n * 7919) % 14_600)
    individual = 100 + (n // 14_600) * 7
    while True:
        body = f"{birth:%d%m%y}{individual % 500:03d}"
        k1 = _check(body, _W1)
        k2 = _check(body + str(k1), _W2) if k1 != 10 else 10
        if k1 < 10 and k2 < 10:
            number = f"{body}{k1}{k2}"
            assert fodselsnummer.is_valid(number)
            return number
        individual += 1

"""KID, the payment reference for one employer and month.

`901` + the employer's 8-digit number + YY + MM + one MOD10 (Luhn) check digit: 16 digits.
"""

from stdnum import luhn

from deductions.period import Period

PREFIX = "901"


def kid_for(employer_number, period):
    body = f"{PREFIX}{employer_number}{period.year % 100:02d}{period.month:02d}"
    return body + luhn.calc_check_digit(body)


def parse_kid(kid):
    """(employer number, Period) for a valid KID; ValueError otherwise.

    The century is taken as 20YY.
    """
    kid = (kid or "").strip()
    if len(kid) != 16 or not kid.isdigit() or not kid.startswith(PREFIX) or not luhn.is_valid(kid):
        raise ValueError(f"not a Trekkportal KID: {kid!r}")
    return kid[3:11], Period(2000 + int(kid[11:13]), int(kid[13:15]))

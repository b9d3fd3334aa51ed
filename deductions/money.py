"""Money (NOK with øre, always `Decimal`) and the payment account, as the portal writes them.

Two ways to write an amount, on purpose:

- `kr` for people: «1 234,50», grouped with a no-break space. Pages, PDFs, mails and messages
  put «kr » before it; table cells show it bare.
- `cell` for what is read back by a program: «1234,50», no grouping, in CSV downloads and in
  the list form's inputs. Excel and our own amount parser read it as a number; a grouped amount
  would be text to a spreadsheet.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models

ZERO = Decimal("0.00")


def money_field(verbose_name):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, default=ZERO)


def kr(amount):
    """`1 234,50` (Norwegian grouping with a no-break space, as `floatformat:"2g"` writes it): a
    plain format, several times faster than Django's `number_format` on the thousands of
    amounts of a large list or a month's changes."""
    return f"{amount:,.2f}".replace(",", "\u00a0").replace(".", ",")


def cell(amount):
    """`1234,50`; empty for no amount (a sum over nothing, a month not yet paid)."""
    if amount is None:
        return ""
    return f"{amount:.2f}".replace(".", ",")


def account_text(account=None):
    """An account number as written on a giro: `90010741504` -> `9001 07 41504`. Without an
    argument, the account employers pay to (`settings.PAYMENT_ACCOUNT`)."""
    account = account or settings.PAYMENT_ACCOUNT
    return f"{account[:4]} {account[4:6]} {account[6:]}"

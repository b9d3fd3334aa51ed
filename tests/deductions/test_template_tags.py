"""Names in the month table and the basis rows are escaped, never raw HTML (the rows are built
in Python by `deductions_tags.month_rows` and `basis_tags`).

A member's name and employee number come from the union's member register (and its CSV
import), an employer's name from staff: either may hold `<`, `"` or `>`."""

import re
from decimal import Decimal
from types import SimpleNamespace
from uuid import uuid4

import pytest
from django.urls import reverse

from deductions.basis.services import basis_generate
from deductions.models import Member
from deductions.period import Period
from deductions.templatetags.deductions_tags import month_rows
from tests.deductions.conftest import make_member

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
ESCAPED = {
    SCRIPT: "&lt;script&gt;alert(1)&lt;/script&gt;",
    IMG: "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
}
JAN, FEB = Period(2021, 1), Period(2021, 2)


def assert_escaped(body, text):
    assert text not in body
    assert ESCAPED[text] in body


@pytest.fixture
def hostile_names(rates, employer):
    """An employer and two members named like HTML; both members start in February (a
    change), one with an employee number like HTML too."""
    employer.name = f"{SCRIPT} AS"
    employer.save()
    make_member("Hauge Linda", employer, JAN)
    basis_generate(period=JAN)
    make_member(SCRIPT, employer, FEB, home=True)
    imported = make_member(IMG, employer, FEB, travel=True)
    Member.objects.filter(pk=imported.pk).update(employee_number=IMG)
    basis_generate(period=FEB)


@pytest.mark.parametrize("url_name", ["basis_changes", "basis_full"])
def test_basis_rows_escape_member_names_and_employee_numbers(owner_client, hostile_names, url_name):
    body = owner_client.get(reverse(f"deductions:{url_name}", args=["2021-02"])).text
    rows = body.split('data-testid="basis-lines"')[1].split("</table>")[0]
    assert_escaped(rows, SCRIPT)
    assert_escaped(rows, IMG)
    assert rows.count(ESCAPED[IMG]) == 2  # the name and the employee number


def test_the_front_pages_month_table_escapes_the_employer_name(owner_client, hostile_names):
    """The table's caption names the employer; its rows hold no other free text."""
    body = owner_client.get(reverse("home")).text
    table = body.split('<div class="table-responsive">')[1].split("</table>")[0]
    assert '<th scope="row">2021/02</th>' in table
    assert_escaped(table, SCRIPT)


def test_month_rows_escape_every_text_they_show():
    """No text in a month row is typed by anyone today; the row escapes each one anyway."""
    month = SimpleNamespace(
        period=SimpleNamespace(slug="2021-02", table_label=SCRIPT),
        delivery_status=IMG,
        paid_total=Decimal("100.00"),
        payment_difference=Decimal("15.00"),
        change_count=2,
        kid=SCRIPT,
        month_lists=SimpleNamespace(
            register_label=IMG,
            delivered=[SimpleNamespace(public_id=uuid4(), archive_label=SCRIPT)],
        ),
    )
    html = month_rows([month])
    assert_escaped(html, SCRIPT)
    assert_escaped(html, IMG)
    assert html.count(ESCAPED[SCRIPT]) == 3  # the month, the KID, the archived list
    assert "Avvik mot trekkliste: kr 15,00" in html


@pytest.mark.parametrize(("changes", "said"), [(1, "(1 endring)"), (2, "(2 endringer)")])
def test_month_rows_count_changes_in_singular_and_plural(changes, said):
    month = SimpleNamespace(
        period=SimpleNamespace(slug="2021-02", table_label="2021/02"),
        delivery_status="Levert",
        paid_total=None,
        payment_difference=None,
        change_count=changes,
        kid="123",
        month_lists=SimpleNamespace(register_label="Registrer trekkliste", delivered=[]),
    )
    html = month_rows([month])
    assert said in re.sub(r"<[^>]+>", "", html)

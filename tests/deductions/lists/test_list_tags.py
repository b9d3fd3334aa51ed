"""The list form's rows (`line_row`): every value escaped."""

from django.urls import reverse

from deductions.national_ids import synthetic_national_id
from tests.deductions.lists.conftest import form_data, position_of, start_list

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
ESCAPED = {
    SCRIPT: "&lt;script&gt;alert(1)&lt;/script&gt;",
    IMG: "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
}


def assert_escaped(body, text):
    assert text not in body
    assert ESCAPED[text] in body


def edit_url(deduction_list):
    return reverse("deductions:list_edit", args=[deduction_list.public_id])


def test_line_rows_escape_names_and_what_was_typed(owner_client, february):
    deduction_list = start_list(owner_client)
    deduction_list.lines.filter(name="Ny Nina").update(name=SCRIPT)
    body = owner_client.get(edit_url(deduction_list)).text
    assert_escaped(body, SCRIPT)
    # The row's name and the labels of its 5 inputs (the search is the server's, pages.py).
    assert body.count(ESCAPED[SCRIPT]) == 6

    linda = position_of(deduction_list, "Hauge Linda")
    data = form_data(
        deduction_list,
        **{f"l-{linda}-dues": IMG, f"l-{linda}-comment": SCRIPT},
        **{"n-0-name": IMG, "n-0-national_id": "123"},
    )
    response = owner_client.post(edit_url(deduction_list), data)
    assert response.status_code == 400
    rows = response.text.split('data-testid="list-lines"')[1]
    assert f'value="{ESCAPED[IMG]}"' in rows  # the amount as typed, and the new person's name
    assert f"«{ESCAPED[IMG]}» er ikke et beløp" in rows  # the row's error message
    assert f'value="{ESCAPED[SCRIPT]}"' in rows  # the comment
    assert IMG not in rows and SCRIPT not in rows


def test_an_added_persons_row_escapes_the_name_beside_remove(owner_client, february):
    deduction_list = start_list(owner_client)
    data = form_data(
        deduction_list, **{"n-0-name": SCRIPT, "n-0-national_id": synthetic_national_id(999)}
    )
    assert owner_client.post(edit_url(deduction_list), data).status_code == 302
    body = owner_client.get(edit_url(deduction_list)).text
    row = body.split('<th scope="row">' + ESCAPED[SCRIPT])[1].split("</tr>")[0]
    assert "lagt til" in row
    assert f'Fjern<span class="visually-hidden"> {ESCAPED[SCRIPT]}</span>' in row
    assert SCRIPT not in body


def test_a_row_carries_its_saved_sum_in_ore_and_a_row_with_errors_is_marked(owner_client, february):
    deduction_list = start_list(owner_client)
    linda = deduction_list.lines.get(name="Hauge Linda")
    body = owner_client.get(edit_url(deduction_list)).text
    assert '<tr data-line data-saved="17600">' in body  # 85 + 91 kr of insurance, for the total

    data = form_data(deduction_list, **{f"l-{linda.position}-dues": "tolv"})
    rows = owner_client.post(edit_url(deduction_list), data).text
    assert rows.count("data-errors") == 1  # the row itself, for the «bare avvik» filter
    assert rows.count("data-line-errors") == 1  # its message row, hidden with it

"""The list form a page at a time: a POST touches only the lines it holds; search, filters and
pages on the server over the whole list; the script's JSON save; the rest of a pasted column."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from deductions.lists.pages import FormQuery, lines_in_view
from deductions.lists.reconciliation import MISSING, ZERO_DUES, reconcile
from deductions.models import BasisLine, Reason
from tests.deductions.lists.conftest import deliver, form_data, position_of, start_list

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def edit_url(deduction_list, query=""):
    return reverse("deductions:list_edit", args=[deduction_list.public_id]) + query


def paste_url(deduction_list, query=""):
    return reverse("deductions:list_paste", args=[deduction_list.public_id]) + query


def one_line(deduction_list, name, **values):
    """The POST of one line as its row sends it, with `values` typed in."""
    line = deduction_list.lines.get(name=name)
    data = {"new-count": "3"}
    for field, value in form_data(deduction_list).items():
        if field.startswith(f"l-{line.position}-"):
            data[field] = value
    data.update({f"l-{line.position}-{field}": value for field, value in values.items()})
    return data


@pytest.fixture
def draft(owner_client, february):
    return start_list(owner_client)


@pytest.fixture
def paged(settings, draft):
    """Two lines a page: Lise and Linda on page 1, Nina on page 2."""
    settings.LIST_FORM_PAGE_SIZE = 2
    return draft


def shown_names(response):
    return [
        name
        for name in ("=Lærling Lise", "Hauge Linda", "Ny Nina")
        if f'<th scope="row">{name}' in response.text
    ]


def test_a_post_of_one_line_leaves_every_other_line_exactly_as_saved(owner_client, draft):
    nina = draft.lines.get(name="Ny Nina")
    nina.reason, nina.comment = Reason.OTHER, "Permisjon"
    nina.set_amounts(Decimal(0), Decimal(0), Decimal(0))
    nina.save()
    before = {line.name: line for line in draft.lines.exclude(name="Hauge Linda")}
    data = one_line(draft, "Hauge Linda", dues="250,00")
    data[f"l-{nina.position}-comment"] = "without its dues the line is not posted"
    response = owner_client.post(edit_url(draft), data)
    assert response.status_code == 302
    assert draft.lines.get(name="Hauge Linda").dues == Decimal("250.00")
    for line in draft.lines.exclude(name="Hauge Linda"):
        old = before[line.name]
        assert (line.dues, line.home_insurance, line.reason, line.comment) == (
            old.dues,
            old.home_insurance,
            old.reason,
            old.comment,
        )
    draft.refresh_from_db()
    assert draft.total == sum(line.total for line in draft.lines.all())  # the whole list counted


def test_the_form_shows_a_page_of_lines_and_where_it_is(owner_client, paged):
    first = owner_client.get(edit_url(paged))
    assert shown_names(first) == ["=Lærling Lise", "Hauge Linda"]
    assert "Side 1 av 2 (linje 1–2 av 3)" in first.text
    assert f'href="{edit_url(paged, "?side=2")}"' in first.text
    second = owner_client.get(edit_url(paged, "?side=2"))
    assert shown_names(second) == ["Ny Nina"]
    assert "Side 2 av 2 (linje 3 av 3)" in second.text


@pytest.mark.parametrize("side", ["abc", "-4", "0", "99999999999999999999", "2.5", "½"])
def test_a_page_number_made_up_shows_the_nearest_page(owner_client, paged, side):
    response = owner_client.get(edit_url(paged), {"side": side})
    assert response.status_code == 200
    assert "Side " in response.text


@pytest.mark.parametrize("params", [{"vis": "alt"}, {"q": "x" * 5000}, {"del": "x"}, {"q": "%_"}])
def test_odd_search_parameters_are_no_error(owner_client, draft, params):
    assert owner_client.get(edit_url(draft), params).status_code == 200


@pytest.mark.parametrize("params", [{"vis": "\x00"}, {"q": "\x00"}, {"side": "\x00"}])
def test_a_nul_in_the_search_is_a_bad_request_not_an_error(owner_client, draft, params):
    assert owner_client.get(edit_url(draft), params).status_code == 400


def test_the_total_shown_is_the_whole_lists_saved_sum_on_every_page(owner_client, paged):
    paged.lines.filter(name="Ny Nina").update(dues=1000, total=1085)
    response = owner_client.get(edit_url(paged, "?q=linda"))
    total = sum(line.total for line in paged.lines.all())
    assert f'data-list-saved-total="{total}"' in response.text
    assert "Viser 1 av 3 personer. Summen gjelder hele listen." in response.text


def test_search_finds_by_name_national_id_with_a_space_and_employee_number(owner_client, draft):
    nina = draft.lines.get(name="Ny Nina")
    BasisLine.objects.filter(pk=nina.basis_line_id).update(employee_number="AB-77")
    linda_id = draft.lines.get(name="Hauge Linda").national_id
    for q, names in [
        ("LINDA", ["Hauge Linda"]),
        (f"{linda_id[:6]} {linda_id[6:]}", ["Hauge Linda"]),
        ("ab-77", ["Ny Nina"]),
        ("ingen slik", []),
    ]:
        response = owner_client.get(edit_url(draft), {"q": q})
        assert shown_names(response) == names, q
    assert "Ingen linjer passer søket." in response.text


def test_the_filters_show_the_whole_lists_lines_of_each_kind(owner_client, draft):
    owner_client.post(
        edit_url(draft),
        {
            **form_data(draft),
            f"l-{position_of(draft, 'Hauge Linda')}-dues": "0",
            f"l-{position_of(draft, 'Ny Nina')}-reason": Reason.LEFT,
            f"l-{position_of(draft, '=Lærling Lise')}-home": "10",  # not on her basis line
        },
    )
    for vis, names in [
        ("ikke-utfylt", ["Hauge Linda"]),
        ("ikke-trukket", ["Ny Nina"]),
        ("avvik", ["=Lærling Lise"]),
        ("", ["=Lærling Lise", "Hauge Linda", "Ny Nina"]),
    ]:
        assert shown_names(owner_client.get(edit_url(draft), {"vis": vis})) == names, vis


def test_avvik_are_the_lines_reconcile_names_but_for_dues_left_at_zero(owner_client, draft):
    owner_client.post(
        edit_url(draft),
        {
            **form_data(draft),
            f"l-{position_of(draft, 'Hauge Linda')}-travel": "0",
            f"l-{position_of(draft, 'Ny Nina')}-dues": "0",
            "n-0-name": "Ekstra Erik",
            "n-0-national_id": "01010012356",
            "n-0-dues": "50",
        },
    )
    named = {
        deviation.national_id
        for deviation in reconcile(draft)
        if deviation.kind not in (ZERO_DUES, MISSING)
    }
    shown = set(lines_in_view(draft, FormQuery(vis="avvik")).values_list("national_id", flat=True))
    assert shown == named
    assert len(shown) == 2  # Linda's travel insurance, Erik not on the basis


def test_save_returns_to_the_same_page_and_search_and_next_goes_on(owner_client, paged):
    data = one_line(paged, "Hauge Linda", dues="100")
    response = owner_client.post(edit_url(paged, "?q=a&vis=ikke-utfylt"), {**data, "lagre": ""})
    assert response.url == edit_url(paged, "?q=a&vis=ikke-utfylt")
    response = owner_client.post(edit_url(paged), {**data, "neste": ""})
    assert response.url == edit_url(paged, "?side=2")
    response = owner_client.post(edit_url(paged), {**data, "lever": ""})
    assert response.url == reverse("deductions:list_confirm", args=[paged.public_id])


def test_errors_show_the_same_page_with_what_was_typed(owner_client, paged):
    data = one_line(paged, "Ny Nina", dues="tolv")
    response = owner_client.post(edit_url(paged, "?side=2"), data)
    assert response.status_code == 400
    assert shown_names(response) == ["Ny Nina"]
    assert 'value="tolv"' in response.text
    assert "Side 2 av 2" in response.text


def test_the_scripts_save_is_answered_in_json(owner_client, draft):
    data = one_line(draft, "Hauge Linda", dues="12,50", lagre="")
    response = owner_client.post(edit_url(draft), data, **FETCH)
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert answer["ok"] is True and answer["errors"] == []
    assert draft.lines.get(name="Hauge Linda").dues == Decimal("12.50")
    assert AuditEvent.objects.filter(action="list_draft_saved").count() == 1

    response = owner_client.post(edit_url(draft), one_line(draft, "Ny Nina", dues="tolv"), **FETCH)
    assert response.status_code == 400
    [error] = json.loads(response.content)["errors"]
    assert error["label"] == "Ny Nina"
    assert "«tolv» er ikke et beløp" in error["messages"][0]
    assert list(error["fields"]) == [f"l-{position_of(draft, 'Ny Nina')}-dues"]


def test_the_scripts_save_of_a_delivered_list_is_refused_in_json(owner_client, draft):
    owner_client.post(edit_url(draft), form_data(draft))
    deliver(owner_client, draft)
    response = owner_client.post(edit_url(draft), one_line(draft, "Ny Nina", dues="1"), **FETCH)
    assert response.status_code == 409
    assert "levert" in json.loads(response.content)["errors"][0]["messages"][0]


def test_the_rows_alone_for_the_script(owner_client, paged):
    response = owner_client.get(edit_url(paged, "?side=2&del=rader"))
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<tbody data-list-rows>" in response.text
    assert shown_names(response) == ["Ny Nina"]
    assert "Side 2 av 2 (linje 3 av 3)" in response.text


def test_the_rest_of_a_pasted_column_fills_the_lines_after_in_the_views_order(owner_client, draft):
    lise = position_of(draft, "=Lærling Lise")
    response = owner_client.post(
        paste_url(draft, "?vis=ikke-utfylt"), {"etter": lise, "verdier": "12,5\r\n7.25\r\n9\r\n"}
    )
    assert response.status_code == 200
    assert json.loads(response.content) == {"ok": True, "filled": 2, "left": 1}
    assert draft.lines.get(name="Hauge Linda").dues == Decimal("12.50")
    assert draft.lines.get(name="Ny Nina").dues == Decimal("7.25")
    draft.refresh_from_db()
    assert draft.total == sum(line.total for line in draft.lines.all())
    assert AuditEvent.objects.filter(action="list_draft_saved").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"etter": "0", "verdier": "12\ntolv\n"}, "Beløp nummer 2 i det som er limt inn: «tolv»"),
        ({"etter": "0", "verdier": "-5"}, "Beløpet kan ikke være negativt."),
        ({"etter": "x", "verdier": "5"}, "Det mangler hvor innlimingen skal fortsette."),
        ({"verdier": "5"}, "Det mangler hvor innlimingen skal fortsette."),
        ({"etter": "0", "verdier": "\n\n"}, "Det er ingen beløp å lime inn."),
    ],
)
def test_a_bad_paste_is_refused_in_norwegian_and_nothing_is_saved(
    owner_client, draft, data, message
):
    response = owner_client.post(paste_url(draft), data)
    assert response.status_code == 400
    assert message in json.loads(response.content)["errors"][0]["messages"][0]
    assert not draft.lines.exclude(dues=0).exclude(name="=Lærling Lise").exists()


def test_the_paste_address_only_takes_a_post(owner_client, draft):
    assert owner_client.get(paste_url(draft)).status_code == 405

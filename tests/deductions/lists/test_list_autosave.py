"""The list form's background save (deductions:list_autosave): only the lines typed in since
the last one, answered as JSON for static/js/list_autosave.js."""

import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from deductions.national_ids import synthetic_national_id
from tests.conftest import client_for
from tests.deductions.lists.conftest import deliver, form_data, position_of
from tests.deductions.lists.test_list_conflicts import edit_url


def autosave_url(deduction_list):
    return reverse("deductions:list_autosave", args=[deduction_list.public_id])


def typed(deduction_list, name, **values):
    """What the script sends for one line: its inputs and the fingerprint it was shown."""
    line = deduction_list.lines.get(name=name)
    prefix = f"l-{line.position}"
    data = {
        f"{prefix}-dues": "",
        f"{prefix}-home": str(line.home_insurance),
        f"{prefix}-travel": str(line.travel_insurance),
        f"{prefix}-reason": line.reason,
        f"{prefix}-comment": line.comment,
        f"{prefix}-was": line.fingerprint,
    }
    data.update({f"{prefix}-{field}": value for field, value in values.items()})
    return data


def test_autosave_saves_the_lines_sent_and_says_when(owner_client, draft):
    nina = draft.lines.get(name="Ny Nina")
    linda_before = draft.lines.get(name="Hauge Linda").dues

    response = owner_client.post(autosave_url(draft), typed(draft, "Ny Nina", dues="1 234,5"))

    assert response.status_code == 200
    answer = response.json()
    assert re.fullmatch(r"\d\d:\d\d", answer["saved_at"])
    assert answer["saved"] == 1
    nina.refresh_from_db()
    assert nina.dues == Decimal("1234.50")
    assert answer["was"] == {str(nina.position): nina.fingerprint}
    assert answer["errors"] == [] and answer["conflicts"] == []
    assert draft.lines.get(name="Hauge Linda").dues == linda_before  # not sent, not touched
    draft.refresh_from_db()
    assert draft.total == Decimal("1234.50") + Decimal("261.00")


def test_an_autosave_that_changed_something_is_audited_once(owner_client, owner, draft):
    owner_client.post(autosave_url(draft), typed(draft, "Ny Nina", dues="80"))

    event = AuditEvent.objects.get(action="list_draft_saved")
    assert event.actor == owner
    assert event.details["autosaved"] is True
    assert event.details["changed"] == 1


def test_an_autosave_that_changed_nothing_leaves_no_audit_row(owner_client, draft):
    response = owner_client.post(autosave_url(draft), typed(draft, "Ny Nina", dues="0,00"))

    assert response.json()["saved"] == 0
    assert not AuditEvent.objects.filter(action="list_draft_saved").exists()


def test_bad_values_are_reported_in_norwegian_and_the_good_lines_saved(owner_client, draft):
    linda = position_of(draft, "Hauge Linda")
    data = typed(draft, "Hauge Linda", dues="tolv")
    data.update(typed(draft, "Ny Nina", dues="75"))

    response = owner_client.post(autosave_url(draft), data)

    assert response.status_code == 400
    answer = response.json()
    assert answer["errors"] == [
        {
            "field": f"l-{linda}-dues",
            "message": "«tolv» er ikke et beløp (skriv for eksempel 123,45).",
        }
    ]
    assert answer["saved"] == 1
    assert draft.lines.get(name="Ny Nina").dues == Decimal("75.00")
    assert draft.lines.get(name="Hauge Linda").dues == Decimal("0.00")


def test_a_line_a_colleague_changed_meanwhile_is_a_conflict(owner_client, colleague_client, draft):
    kari_sends = typed(draft, "Hauge Linda", dues="120")
    colleague_client.post(autosave_url(draft), typed(draft, "Hauge Linda", dues="150"))

    answer = owner_client.post(autosave_url(draft), kari_sends).json()

    linda = draft.lines.get(name="Hauge Linda")
    assert linda.dues == Decimal("150.00")
    assert answer["saved"] == 0 and answer["was"] == {}
    [conflict] = answer["conflicts"]
    assert conflict["position"] == linda.position
    assert conflict["fields"] == ["dues"]
    assert conflict["saved"]["dues"] == "150,00"
    assert conflict["was"] == linda.fingerprint
    assert "Per Kollega" in conflict["message"]
    assert "ditt beløp 120,00, lagret beløp 150,00" in conflict["message"]


def test_an_autosave_after_the_session_ended_is_a_json_401_with_a_way_back(draft):
    response = Client().post(autosave_url(draft), typed(draft, "Ny Nina", dues="80"))

    assert response.status_code == 401
    answer = response.json()
    assert answer["error"] == "Økten din er avsluttet. Logg inn igjen for å fortsette."
    next_url = edit_url(draft).replace("/", "%2F")
    assert answer["login_url"] == f"{reverse('two_factor:login')}?next={next_url}"
    assert draft.lines.get(name="Ny Nina").dues == Decimal("0.00")


def test_another_employers_list_is_a_404(outsider_client, draft):
    response = outsider_client.post(autosave_url(draft), typed(draft, "Ny Nina", dues="80"))

    assert response.status_code == 404
    assert "Ny Nina" not in response.text
    assert draft.lines.get(name="Ny Nina").dues == Decimal("0.00")


def test_a_delivered_list_is_a_409_in_norwegian(owner_client, draft):
    data = typed(draft, "Ny Nina", dues="80")
    owner_client.post(edit_url(draft), form_data(draft))
    deliver(owner_client, draft)

    response = owner_client.post(autosave_url(draft), data)

    assert response.status_code == 409
    assert response.json()["error"].startswith("Listen er levert og kan ikke endres")
    assert draft.lines.get(name="Ny Nina").dues == Decimal("100.00")


def test_autosave_is_post_only(owner_client, draft):
    assert owner_client.get(autosave_url(draft)).status_code == 405


def test_autosave_needs_the_csrf_token(owner, employer, draft):
    client = client_for(owner, employer)
    client.handler.enforce_csrf_checks = True
    assert client.post(autosave_url(draft), typed(draft, "Ny Nina", dues="80")).status_code == 403


def new_person(national_id, name="Hansen Per", row=0, **values):
    """What the script sends for a new person's row complete enough to add."""
    prefix = f"n-{row}"
    data = {
        "new-count": str(row + 1),
        f"{prefix}-national_id": national_id,
        f"{prefix}-name": name,
        f"{prefix}-dues": "",
        f"{prefix}-home": "",
        f"{prefix}-travel": "",
        f"{prefix}-reason": "",
        f"{prefix}-comment": "",
    }
    data.update({f"{prefix}-{field}": value for field, value in values.items()})
    return data


def test_a_complete_new_person_is_added_to_the_list_and_audited(owner_client, owner, draft):
    national_id = synthetic_national_id(901)

    response = owner_client.post(autosave_url(draft), new_person(national_id, dues="120,50"))

    assert response.status_code == 200
    assert response.json()["added"] == [{"prefix": "n-0", "name": "Hansen Per"}]
    hansen = draft.lines.get(national_id=national_id)
    assert (hansen.name, hansen.dues, hansen.is_added) == ("Hansen Per", Decimal("120.50"), True)
    assert hansen.position == max(draft.lines.values_list("position", flat=True))
    draft.refresh_from_db()
    assert draft.line_count == 4
    assert draft.total == Decimal("120.50") + Decimal("261.00")
    event = AuditEvent.objects.get(action="list_draft_saved")
    assert (event.actor, event.details["autosaved"], event.details["added"]) == (owner, True, 1)
    assert national_id not in str(event.details)


def test_a_new_person_is_added_with_the_lines_typed_in_the_same_save(owner_client, draft):
    data = typed(draft, "Ny Nina", dues="80")
    data.update(new_person(synthetic_national_id(901)))

    answer = owner_client.post(autosave_url(draft), data).json()

    assert (answer["saved"], len(answer["added"])) == (1, 1)
    event = AuditEvent.objects.get(action="list_draft_saved")
    assert (event.details["changed"], event.details["added"]) == (1, 1)


def test_a_new_person_with_an_invalid_national_id_is_an_error_on_that_row(owner_client, draft):
    data = typed(draft, "Ny Nina", dues="80")
    data.update(new_person("12345678901", dues="10"))

    response = owner_client.post(autosave_url(draft), data)

    assert response.status_code == 400
    answer = response.json()
    assert answer["added"] == []
    assert answer["errors"] == [
        {"field": "n-0-national_id", "message": "Fødselsnummeret er ikke gyldig (elleve sifre)."}
    ]
    assert draft.lines.count() == 3
    assert draft.lines.get(name="Ny Nina").dues == Decimal("80.00")  # the good line is saved


def test_a_new_persons_bad_amount_and_missing_comment_are_errors_on_that_row(owner_client, draft):
    data = new_person(synthetic_national_id(901), dues="tolv", reason="other")

    answer = owner_client.post(autosave_url(draft), data).json()

    fields = {error["field"] for error in answer["errors"]}
    assert fields == {"n-0-dues", "n-0-comment"}
    assert draft.lines.count() == 3


def test_a_person_already_on_the_list_is_an_error_and_not_added(owner_client, draft):
    nina = draft.lines.get(name="Ny Nina")

    response = owner_client.post(autosave_url(draft), new_person(nina.national_id, "Nina igjen"))

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "n-0-national_id", "message": "Personen står allerede på listen."}
    ]
    assert draft.lines.filter(national_id=nina.national_id).count() == 1


def test_the_same_new_person_sent_twice_is_added_once(owner_client, draft):
    """A retry after a lost answer: the second send finds the person as the first added them,
    and answers as if it had added them (the script then empties the row)."""
    data = new_person(synthetic_national_id(901), dues="99")

    first = owner_client.post(autosave_url(draft), data)
    second = owner_client.post(autosave_url(draft), data)

    assert second.status_code == 200
    assert (
        first.json()["added"] == second.json()["added"] == [{"prefix": "n-0", "name": "Hansen Per"}]
    )
    assert draft.lines.filter(national_id=synthetic_national_id(901)).count() == 1
    assert AuditEvent.objects.filter(action="list_draft_saved").count() == 1


def test_the_same_person_sent_again_with_other_values_is_not_added_twice(owner_client, draft):
    national_id = synthetic_national_id(901)
    owner_client.post(autosave_url(draft), new_person(national_id, dues="99"))

    response = owner_client.post(autosave_url(draft), new_person(national_id, dues="100"))

    assert response.status_code == 400
    assert response.json()["added"] == []
    assert response.json()["errors"][0]["message"] == "Personen står allerede på listen."
    assert draft.lines.get(national_id=national_id).dues == Decimal("99.00")


def test_an_outsider_cannot_add_a_person_to_another_employers_list(outsider_client, draft):
    response = outsider_client.post(autosave_url(draft), new_person(synthetic_national_id(901)))

    assert response.status_code == 404
    assert draft.lines.count() == 3

"""Two contacts on one draft: every line of the form carries the fingerprint of what it showed
(`l-N-was`), so the later save never overwrites what the other changed, and says so."""

from decimal import Decimal

from django.urls import reverse

from accounts.models import AuditEvent
from tests.deductions.lists.conftest import form_data, position_of


def edit_url(deduction_list):
    return reverse("deductions:list_edit", args=[deduction_list.public_id])


def as_shown(deduction_list, **overrides):
    """The form as the page shows it now, fingerprints included, with `overrides`."""
    data = form_data(deduction_list)
    for line in deduction_list.lines.all():
        data[f"l-{line.position}-dues"] = str(line.dues)
        data[f"l-{line.position}-was"] = line.fingerprint
    data.update(overrides)
    return data


def dues_of(deduction_list, name):
    return deduction_list.lines.get(name=name).dues


def test_a_line_its_user_did_not_change_is_not_overwritten_with_what_the_page_showed(
    owner_client, colleague_client, draft
):
    linda, nina = position_of(draft, "Hauge Linda"), position_of(draft, "Ny Nina")
    kari_sees = as_shown(draft)  # Kari opens the form
    colleague_client.post(edit_url(draft), as_shown(draft, **{f"l-{linda}-dues": "150"}))

    kari_sees[f"l-{nina}-dues"] = "120"  # Kari changes Nina only, Linda still shows 0
    response = owner_client.post(edit_url(draft), kari_sees)

    assert response.status_code == 302
    assert dues_of(draft, "Hauge Linda") == Decimal("150.00")
    assert dues_of(draft, "Ny Nina") == Decimal("120.00")
    draft.refresh_from_db()
    assert draft.total == Decimal("150.00") + Decimal("120.00") + Decimal("261.00")


def test_a_line_both_changed_is_left_as_saved_and_the_difference_is_shown(
    owner_client, colleague_client, draft
):
    linda, nina = position_of(draft, "Hauge Linda"), position_of(draft, "Ny Nina")
    kari_sees = as_shown(draft)
    colleague_client.post(edit_url(draft), as_shown(draft, **{f"l-{linda}-dues": "150"}))

    kari_sees.update({f"l-{linda}-dues": "120", f"l-{nina}-dues": "80"})
    response = owner_client.post(edit_url(draft), kari_sees)

    assert response.status_code == 409
    page = response.text
    assert "ble endret av Per Kollega kl." in page
    assert "etter at du åpnet listen: Kontingent: ditt beløp 120,00, lagret beløp 150,00" in page
    assert dues_of(draft, "Hauge Linda") == Decimal("150.00")  # not overwritten
    assert dues_of(draft, "Ny Nina") == Decimal("80.00")  # the rest is saved
    assert f'name="l-{linda}-dues" value="120"' in page  # Kari's value still in the form
    new_was = draft.lines.get(name="Hauge Linda").fingerprint
    assert f'name="l-{linda}-was" value="{new_was}"' in page
    audit = AuditEvent.objects.filter(action="list_draft_saved").latest("pk")
    assert audit.details["conflicts"] == 1


def test_saving_again_after_a_conflict_overwrites_on_purpose(owner_client, colleague_client, draft):
    linda = position_of(draft, "Hauge Linda")
    kari_sees = as_shown(draft)
    colleague_client.post(edit_url(draft), as_shown(draft, **{f"l-{linda}-dues": "150"}))
    kari_sees[f"l-{linda}-dues"] = "120"
    assert owner_client.post(edit_url(draft), kari_sees).status_code == 409

    again = as_shown(draft, **{f"l-{linda}-dues": "120"})  # the page now shows the new `was`
    assert owner_client.post(edit_url(draft), again).status_code == 302

    assert dues_of(draft, "Hauge Linda") == Decimal("120.00")


def test_the_same_change_by_both_is_no_conflict(owner_client, colleague_client, draft):
    linda = position_of(draft, "Hauge Linda")
    kari_sees = as_shown(draft)
    colleague_client.post(edit_url(draft), as_shown(draft, **{f"l-{linda}-dues": "150"}))
    kari_sees[f"l-{linda}-dues"] = "150,00"

    assert owner_client.post(edit_url(draft), kari_sees).status_code == 302
    assert dues_of(draft, "Hauge Linda") == Decimal("150.00")


def test_a_form_without_fingerprints_saves_as_before(owner_client, colleague_client, draft):
    """Old pages and scripts: the last save wins, as it always did."""
    linda = position_of(draft, "Hauge Linda")
    colleague_client.post(edit_url(draft), as_shown(draft, **{f"l-{linda}-dues": "150"}))
    data = form_data(draft, **{f"l-{linda}-dues": "120"})
    assert not any(key.endswith("-was") for key in data)

    assert owner_client.post(edit_url(draft), data).status_code == 302
    assert dues_of(draft, "Hauge Linda") == Decimal("120.00")


def test_every_line_of_the_form_carries_its_fingerprint(owner_client, draft):
    page = owner_client.get(edit_url(draft)).text
    for line in draft.lines.all():
        assert f'name="l-{line.position}-was" value="{line.fingerprint}"' in page


def test_the_fingerprint_reads_amounts_as_numbers(draft):
    line = draft.lines.get(name="Hauge Linda")
    before = line.fingerprint
    line.set_amounts(Decimal("0"), Decimal("85"), Decimal("91.0"))
    assert line.fingerprint == before
    line.comment = "x"
    assert line.fingerprint != before

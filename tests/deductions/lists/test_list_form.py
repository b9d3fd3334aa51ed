"""The list's web form: prefilled from the basis, checked in Norwegian, saved as a draft."""

from decimal import Decimal

from django.urls import reverse

from accounts.models import AuditEvent, Role
from deductions.models import DeductionList, Reason
from deductions.national_ids import synthetic_national_id
from tests.conftest import client_for, make_user
from tests.deductions.lists.conftest import form_data, position_of, start_list


def edit_url(deduction_list):
    return reverse("deductions:list_edit", args=[deduction_list.public_id])


def test_registering_opens_a_form_prefilled_with_the_months_full_basis(owner_client, february):
    deduction_list = start_list(owner_client)
    response = owner_client.get(edit_url(deduction_list))
    assert response.status_code == 200
    lines = {line.name: line for line in deduction_list.lines.all()}
    assert set(lines) == {"Hauge Linda", "=Lærling Lise", "Ny Nina"}  # Per stopped in January
    assert lines["Hauge Linda"].home_insurance == Decimal("85.00")
    assert lines["Hauge Linda"].travel_insurance == Decimal("91.00")
    assert lines["Ny Nina"].travel_insurance == Decimal("0.00")
    assert lines["Hauge Linda"].total == Decimal("176.00")
    body = response.text
    assert 'value="85,00"' in body and 'value="91,00"' in body
    assert february.kid in body
    assert "9001 07 41504" in body
    assert "kr 261,00" in body  # 85 + 91 + 85: the list total before any dues


def test_the_apprentice_is_prefilled_with_the_flat_amount(owner_client, january):
    deduction_list = start_list(owner_client, january.period)
    lise = deduction_list.lines.get(name="=Lærling Lise")
    assert lise.dues == Decimal("42.00")
    assert lise.total == Decimal("42.00")


def test_opening_the_register_link_only_asks_and_creates_nothing(owner_client, february):
    url = reverse("deductions:list_new", args=[february.period.slug])
    response = owner_client.get(url)
    assert response.status_code == 200
    assert "Start trekkliste for 02/2021" in response.text
    assert f'<form method="post" action="{url}"' in response.text
    assert not DeductionList.objects.exists()
    assert not AuditEvent.objects.filter(action="list_created").exists()


def test_opening_the_register_link_with_an_open_list_goes_to_it(owner_client, february):
    deduction_list = start_list(owner_client)
    response = owner_client.get(reverse("deductions:list_new", args=[february.period.slug]))
    assert response.url == edit_url(deduction_list)
    assert DeductionList.objects.count() == 1


def test_opening_the_form_twice_continues_the_same_list(owner_client, february):
    first = start_list(owner_client)
    assert start_list(owner_client) == first
    assert DeductionList.objects.count() == 1


def test_saving_a_draft_keeps_the_amounts_and_counts_the_total(owner_client, february):
    deduction_list = start_list(owner_client)
    response = owner_client.post(edit_url(deduction_list), form_data(deduction_list, lagre="1"))
    assert response.status_code == 302
    deduction_list.refresh_from_db()
    assert deduction_list.status == DeductionList.Status.DRAFT
    assert deduction_list.total == Decimal("561.00")  # 3 × 100 + 261
    assert AuditEvent.objects.filter(action="list_draft_saved").count() == 1
    page = owner_client.get(edit_url(deduction_list)).text
    assert 'value="100,00"' in page
    assert "Utkastet er lagret" in page


def test_another_contact_of_the_employer_continues_the_draft(owner_client, employer, february):
    deduction_list = start_list(owner_client)
    owner_client.post(edit_url(deduction_list), form_data(deduction_list))
    colleague = make_user("10000009", "Per Kollega")
    Role.objects.create(user=colleague, employer=employer)
    colleague_client = client_for(colleague, employer)
    assert start_list(colleague_client) == deduction_list
    data = form_data(deduction_list, **{f"l-{position_of(deduction_list, 'Ny Nina')}-dues": "250"})
    assert colleague_client.post(edit_url(deduction_list), data).status_code == 302
    assert deduction_list.lines.get(name="Ny Nina").dues == Decimal("250.00")
    deduction_list.refresh_from_db()
    assert deduction_list.updated_by == colleague


def test_a_member_not_deducted_has_a_reason_and_no_amounts(owner_client, february):
    deduction_list = start_list(owner_client)
    linda = position_of(deduction_list, "Hauge Linda")
    data = form_data(deduction_list, **{f"l-{linda}-reason": Reason.LEFT})
    owner_client.post(edit_url(deduction_list), data)
    line = deduction_list.lines.get(name="Hauge Linda")
    assert line.reason == Reason.LEFT
    assert (line.dues, line.home_insurance, line.total) == (0, 0, 0)


def test_other_as_reason_needs_a_comment(owner_client, february):
    deduction_list = start_list(owner_client)
    linda = position_of(deduction_list, "Hauge Linda")
    data = form_data(deduction_list, **{f"l-{linda}-reason": Reason.OTHER})
    response = owner_client.post(edit_url(deduction_list), data)
    assert response.status_code == 400
    assert "Skriv en kommentar når årsaken er «Annet»." in response.text
    assert "Rett feilene under (1 rad)" in response.text
    assert deduction_list.lines.get(name="Hauge Linda").reason == ""
    data[f"l-{linda}-comment"] = "Gikk over til annen stilling"
    assert owner_client.post(edit_url(deduction_list), data).status_code == 302
    assert deduction_list.lines.get(name="Hauge Linda").comment == "Gikk over til annen stilling"


def test_bad_amounts_are_named_in_norwegian_and_nothing_is_saved(owner_client, february):
    deduction_list = start_list(owner_client)
    nina = position_of(deduction_list, "Ny Nina")
    linda = position_of(deduction_list, "Hauge Linda")
    data = form_data(
        deduction_list,
        **{f"l-{nina}-dues": "mye", f"l-{linda}-home": "-5", f"l-{linda}-dues": "1,234"},
    )
    response = owner_client.post(edit_url(deduction_list), data)
    assert response.status_code == 400
    assert "«mye» er ikke et beløp" in response.text
    assert "Beløpet kan ikke være negativt." in response.text
    assert "høyst to desimaler" in response.text
    assert "Listen er ikke lagret" in response.text
    assert not deduction_list.lines.exclude(dues=0).exclude(name="=Lærling Lise").exists()
    assert not AuditEvent.objects.filter(action="list_draft_saved").exists()


def test_a_nul_in_a_comment_or_a_new_persons_name_is_a_form_error(owner_client, february):
    deduction_list = start_list(owner_client)
    linda = position_of(deduction_list, "Hauge Linda")
    data = form_data(
        deduction_list,
        **{
            f"l-{linda}-reason": Reason.OTHER,
            f"l-{linda}-comment": "Gikk\x00 over",
            "n-0-national_id": synthetic_national_id(901),
            "n-0-name": "Sen\x00Siri",
            "n-0-dues": "10",
        },
    )
    response = owner_client.post(edit_url(deduction_list), data)
    assert response.status_code == 400
    assert "Listen er ikke lagret. Rett feilene under (2 rader)" in response.text
    assert response.text.count("Feltet inneholder et tegn som ikke kan lagres.") == 4  # list + row
    assert not deduction_list.lines.filter(reason=Reason.OTHER).exists()
    assert deduction_list.lines.count() == 3


def test_an_unknown_reason_is_refused(owner_client, february):
    deduction_list = start_list(owner_client)
    data = form_data(deduction_list, **{"l-0-reason": "ferie"})
    response = owner_client.post(edit_url(deduction_list), data)
    assert response.status_code == 400
    assert "Velg en årsak fra listen." in response.text


def test_a_person_not_on_the_basis_can_be_added_and_removed(owner_client, february):
    deduction_list = start_list(owner_client)
    data = form_data(
        deduction_list,
        **{
            "n-0-national_id": synthetic_national_id(900),
            "n-0-name": "Ekstra Erik",
            "n-0-dues": "321,50",
        },
    )
    assert owner_client.post(edit_url(deduction_list), data).status_code == 302
    erik = deduction_list.lines.get(name="Ekstra Erik")
    assert erik.is_added and erik.total == Decimal("321.50")
    assert erik.position == 3
    data = form_data(deduction_list, **{f"l-{erik.position}-remove": "on"})
    owner_client.post(edit_url(deduction_list), data)
    assert not deduction_list.lines.filter(name="Ekstra Erik").exists()


def test_an_added_person_needs_a_valid_national_id_and_a_name(owner_client, february):
    deduction_list = start_list(owner_client)
    existing = deduction_list.lines.get(name="Ny Nina").national_id
    data = form_data(
        deduction_list,
        **{"n-0-national_id": "12345678901", "n-0-dues": "10", "n-1-national_id": existing},
    )
    data["n-1-name"] = "Nina igjen"
    response = owner_client.post(edit_url(deduction_list), data)
    assert response.status_code == 400
    assert "Fødselsnummeret er ikke gyldig" in response.text
    assert "Skriv navnet." in response.text
    assert "Personen står allerede på listen." in response.text
    assert deduction_list.lines.count() == 3


def test_inputs_for_positions_the_list_does_not_have_are_ignored(owner_client, february):
    deduction_list = start_list(owner_client)
    data = form_data(deduction_list, **{"l-999-dues": "5000", "l-999-name": "Fremmed"})
    assert owner_client.post(edit_url(deduction_list), data).status_code == 302
    assert deduction_list.lines.count() == 3
    assert not deduction_list.lines.filter(dues=5000).exists()


def test_the_form_page_is_accessible_by_label(owner_client, february):
    deduction_list = start_list(owner_client)
    body = owner_client.get(edit_url(deduction_list)).text
    assert '<label class="visually-hidden" for="l-0-dues">Kontingent, ' in body
    assert "Ikke trukket" in body
    for _, label in Reason.choices:
        assert f">{label}</option>" in body

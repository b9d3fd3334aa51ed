"""«Fyll inn fra forrige liste»: each person's dues from their last delivered main list of the
employer, only into empty lines, marked as copied until changed."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from deductions.lists.fill import FillResult, list_fill_from_previous
from deductions.lists.services import ListLocked
from deductions.models import Basis, DeductionList, DeductionListLine
from deductions.period import Period
from tests.deductions.lists.conftest import deliver, form_data, position_of, start_list

FILL = "fyll-fra-forrige"


def edit_url(deduction_list):
    return reverse("deductions:list_edit", args=[deduction_list.public_id])


def dues_of(deduction_list):
    return {line.name: line.dues for line in deduction_list.lines.all()}


def copied_of(deduction_list):
    return {line.name for line in deduction_list.lines.filter(copied_from_previous=True)}


@pytest.fixture
def january_delivered(owner_client, january):
    """January's main list delivered: Linda 123,45, Per 150,00, Lise (apprentice) 42,00."""
    deduction_list = start_list(owner_client, january.period)
    data = form_data(
        deduction_list,
        **{
            f"l-{position_of(deduction_list, 'Hauge Linda')}-dues": "123,45",
            f"l-{position_of(deduction_list, 'Berg Per')}-dues": "150,00",
        },
    )
    assert owner_client.post(edit_url(deduction_list), data).status_code == 302
    deliver(owner_client, deduction_list)
    return deduction_list


@pytest.fixture
def february_draft(owner_client, january_delivered):
    return start_list(owner_client, Period(2021, 2))


def fill(deduction_list, owner):
    return list_fill_from_previous(deduction_list=deduction_list, actor=owner)


def test_each_person_gets_the_dues_of_their_line_in_the_last_delivered_list(owner, february_draft):
    result = fill(february_draft, owner)
    dues = dues_of(february_draft)
    assert dues["Hauge Linda"] == Decimal("123.45")
    assert dues["=Lærling Lise"] == Decimal("42.00")  # her January line, as it was
    assert copied_of(february_draft) == {"Hauge Linda", "=Lærling Lise"}
    linda = february_draft.lines.get(name="Hauge Linda")
    assert linda.total == Decimal("123.45") + linda.home_insurance + linda.travel_insurance
    february_draft.refresh_from_db()
    assert february_draft.total == sum(line.total for line in february_draft.lines.all())
    assert (result.filled, result.new, result.period) == (2, 1, Period(2021, 1))


def test_a_person_new_this_month_is_left_empty(owner, february_draft):
    fill(february_draft, owner)
    nina = february_draft.lines.get(name="Ny Nina")
    assert nina.dues == Decimal("0.00")
    assert not nina.copied_from_previous


def test_the_message_counts_the_filled_lines_and_the_new_people(owner, february_draft):
    assert fill(february_draft, owner).message == (
        "Fylte inn 2 linjer fra listen for januar 2021; 1 ny person står tom."
    )
    big = FillResult(filled=1234, new=12, period=Period(2026, 10))
    assert big.message == (
        "Fylte inn 1\u00a0234 linjer fra listen for oktober 2026; 12 nye personer står tomme."
    )


def test_typed_dues_and_lines_with_a_reason_are_never_overwritten(owner, february_draft):
    february_draft.lines.filter(name="Hauge Linda").update(dues=Decimal("200.00"))
    february_draft.lines.filter(name="=Lærling Lise").update(reason="sick_pay")
    result = fill(february_draft, owner)
    dues = dues_of(february_draft)
    assert dues["Hauge Linda"] == Decimal("200.00")
    assert dues["=Lærling Lise"] == Decimal("0.00")
    assert result.filled == 0
    assert copied_of(february_draft) == set()


def test_a_person_not_deducted_on_the_last_list_stays_empty(owner_client, owner, january):
    deduction_list = start_list(owner_client, january.period)
    linda = position_of(deduction_list, "Hauge Linda")
    data = form_data(deduction_list, **{f"l-{linda}-reason": "sick_pay", f"l-{linda}-dues": ""})
    owner_client.post(edit_url(deduction_list), data)
    deliver(owner_client, deduction_list)
    february = start_list(owner_client, Period(2021, 2))
    result = fill(february, owner)
    assert dues_of(february)["Hauge Linda"] == Decimal("0.00")
    assert "Hauge Linda" not in copied_of(february)
    assert result.new == 1  # only Nina is new: Linda was on the list, not deducted


def make_delivered_list(basis, kind, dues_by_national_id):
    deduction_list = DeductionList.objects.create(
        basis=basis, kind=kind, status=DeductionList.Status.DELIVERED, version=1
    )
    DeductionListLine.objects.bulk_create(
        DeductionListLine(
            deduction_list=deduction_list,
            position=position,
            national_id=national_id,
            name="Noen",
            dues=dues,
            total=dues,
        )
        for position, (national_id, dues) in enumerate(dues_by_national_id.items())
    )
    return deduction_list


def test_a_later_supplementary_list_is_not_used(owner, january, february_draft):
    linda = february_draft.lines.get(name="Hauge Linda").national_id
    make_delivered_list(january, DeductionList.Kind.SUPPLEMENTARY, {linda: Decimal("999.00")})
    fill(february_draft, owner)
    assert dues_of(february_draft)["Hauge Linda"] == Decimal("123.45")


def test_another_employers_list_is_never_used(owner, other_employer, february_draft):
    nina = february_draft.lines.get(name="Ny Nina").national_id
    linda = february_draft.lines.get(name="Hauge Linda").national_id
    theirs, _ = Basis.objects.get_or_create(employer=other_employer, period=Period(2021, 1))
    make_delivered_list(
        theirs, DeductionList.Kind.MAIN, {nina: Decimal("777.00"), linda: Decimal("888.00")}
    )
    fill(february_draft, owner)
    dues = dues_of(february_draft)
    assert dues["Ny Nina"] == Decimal("0.00")
    assert dues["Hauge Linda"] == Decimal("123.45")


def test_a_reopened_list_is_passed_over_for_the_month_before(
    owner, employer, january_delivered, february_draft
):
    linda = february_draft.lines.get(name="Hauge Linda").national_id
    december = Basis.objects.create(
        employer=employer, period=Period(2020, 12), status=Basis.Status.PUBLISHED
    )
    make_delivered_list(december, DeductionList.Kind.MAIN, {linda: Decimal("111.00")})
    DeductionList.objects.filter(pk=january_delivered.pk).update(
        status=DeductionList.Status.REOPENED
    )
    result = fill(february_draft, owner)
    assert dues_of(february_draft)["Hauge Linda"] == Decimal("111.00")
    assert result.period == Period(2020, 12)


def test_the_latest_earlier_month_wins_over_older_ones(owner, employer, february_draft):
    linda = february_draft.lines.get(name="Hauge Linda").national_id
    nina = february_draft.lines.get(name="Ny Nina").national_id
    december = Basis.objects.create(
        employer=employer, period=Period(2020, 12), status=Basis.Status.PUBLISHED
    )
    make_delivered_list(
        december, DeductionList.Kind.MAIN, {linda: Decimal("111.00"), nina: Decimal("60.00")}
    )
    result = fill(february_draft, owner)
    dues = dues_of(february_draft)
    assert dues["Hauge Linda"] == Decimal("123.45")  # January, not December
    assert dues["Ny Nina"] == Decimal("60.00")  # not in January: her December line
    assert (result.filled, result.new) == (3, 0)


def test_filling_is_audited_with_its_counts(owner, february_draft):
    fill(february_draft, owner)
    event = AuditEvent.objects.get(action="list_filled_from_previous")
    assert event.actor == owner
    assert event.details["filled"] == 2
    assert event.details["new"] == 1
    assert event.details["period"] == "2021-01"
    assert all(line.national_id not in str(event.details) for line in february_draft.lines.all())


def test_a_delivered_list_cannot_be_filled(owner, january_delivered):
    with pytest.raises(ListLocked):
        fill(january_delivered, owner)


def test_changing_a_copied_line_removes_the_mark_and_an_unchanged_one_keeps_it(
    owner_client, owner, february_draft
):
    fill(february_draft, owner)
    linda = position_of(february_draft, "Hauge Linda")
    data = form_data(february_draft, **{f"l-{linda}-dues": "130,00"})
    assert owner_client.post(edit_url(february_draft), data).status_code == 302
    assert copied_of(february_draft) == {"=Lærling Lise"}


def test_a_file_uploaded_after_the_fill_leaves_no_line_marked(owner_client, owner, february_draft):
    fill(february_draft, owner)
    linda = february_draft.lines.get(name="Hauge Linda")
    content = (
        "Fødselsnummer;Navn;Kontingent;Innboforsikring;Reiseforsikring\r\n"
        f"{linda.national_id};Hauge Linda;123,45;85,00;91,00\r\n"
    ).encode()
    url = reverse("deductions:list_upload", args=[february_draft.basis.period.slug])
    response = owner_client.post(url, {"file": SimpleUploadedFile("februar.csv", content)})
    assert response.status_code == 302
    assert dues_of(february_draft) == {"Hauge Linda": Decimal("123.45")}
    assert copied_of(february_draft) == set()


# The page


def test_the_button_shows_on_a_main_list_when_an_earlier_list_is_delivered(
    owner_client, february_draft
):
    assert f'name="{FILL}"' in owner_client.get(edit_url(february_draft)).text


def test_the_button_is_not_shown_without_an_earlier_delivered_list(owner_client, january):
    deduction_list = start_list(owner_client, january.period)
    assert f'name="{FILL}"' not in owner_client.get(edit_url(deduction_list)).text


def test_the_button_saves_what_was_typed_then_fills_the_rest(owner_client, february_draft):
    lise = position_of(february_draft, "=Lærling Lise")
    data = form_data(february_draft, **{f"l-{lise}-dues": "55,00", FILL: ""})
    for line in february_draft.lines.exclude(position=lise):
        data[f"l-{line.position}-dues"] = ""
    response = owner_client.post(edit_url(february_draft), data)
    assert response.status_code == 302
    assert response.url == edit_url(february_draft)
    dues = dues_of(february_draft)
    assert dues["=Lærling Lise"] == Decimal("55.00")  # typed, saved first, not overwritten
    assert dues["Hauge Linda"] == Decimal("123.45")
    page = owner_client.get(edit_url(february_draft)).text
    assert "Fylte inn 1 linje fra listen for januar 2021; 1 ny person står tom." in page
    assert page.count("kopiert fra forrige liste</span>") == 1
    assert 'value="123,45"' in page


def test_a_form_with_errors_is_not_filled(owner_client, february_draft):
    linda = position_of(february_draft, "Hauge Linda")
    data = form_data(february_draft, **{f"l-{linda}-dues": "mye", FILL: ""})
    response = owner_client.post(edit_url(february_draft), data)
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="list_filled_from_previous").exists()


def test_another_employers_contact_cannot_fill_the_list(outsider_client, february_draft):
    response = outsider_client.post(
        edit_url(february_draft), form_data(february_draft, **{FILL: ""})
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="list_filled_from_previous").exists()


def test_a_delivered_list_answers_conflict(owner_client, january_delivered):
    data = form_data(january_delivered, **{FILL: ""})
    response = owner_client.post(edit_url(january_delivered), data)
    assert response.status_code == 409
    assert not AuditEvent.objects.filter(action="list_filled_from_previous").exists()


def test_the_pages_of_the_list_say_nothing_of_the_copies(owner_client, owner, february_draft):
    fill(february_draft, owner)
    confirm = owner_client.get(reverse("deductions:list_confirm", args=[february_draft.public_id]))
    assert confirm.status_code == 200
    assert "kopiert fra forrige liste" not in confirm.text


def test_filling_a_2000_line_list_takes_a_bounded_number_of_queries(
    rates, employer, owner, django_assert_max_num_queries
):
    from deductions.basis.services import basis_generate
    from deductions.lists.services import list_deliver, list_start
    from tests.deductions.test_basis_pages import big_month

    january = big_month(employer, 2000)
    january_list = list_start(basis=january, actor=owner)
    january_list.lines.update(dues=Decimal("100.00"))
    list_deliver(deduction_list=january_list, actor=owner)
    basis_generate(period=Period(2021, 2))
    february = list_start(
        basis=Basis.objects.get(employer=employer, period=Period(2021, 2)), actor=owner
    )
    # Lines and previous dues read once each; deletes and inserts in batches of 500. SQLite
    # takes at most 999 parameters a statement: 27 insert batches, 41 queries (18 on PostgreSQL).
    with django_assert_max_num_queries(45):
        result = fill(february, owner)
    assert (result.filled, result.new) == (2000, 0)
    assert february.lines.filter(dues=Decimal("100.00"), copied_from_previous=True).count() == 2000

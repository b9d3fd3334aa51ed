"""Staff import of members and deductions from the register's CSV export."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from deductions.models import Category, Deduction, Member
from deductions.national_ids import synthetic_national_id
from deductions.period import Period

URL = reverse("admin:deductions_member_import")
HEADER = (
    "medlemsnummer;navn;fodselsnummer;ansattnummer;bedriftsnummer;fra_maned;til_maned;"
    "kategori;innbo;reise"
)


def csv_file(*rows, encoding="utf-8-sig", header=HEADER):
    text = "\r\n".join([header, *rows]) + "\r\n"
    return SimpleUploadedFile("register.csv", text.encode(encoding), content_type="text/csv")


@pytest.fixture
def good_rows(employer):
    linda, lise = synthetic_national_id(1), synthetic_national_id(2)
    return [
        f"1001;Hauge Linda;{linda};55;94001761;2021-01;;ordinær;ja;nei",
        f"1001;Hauge Linda;{linda};55;94001761;2021-04;2021-08;ordinær;ja;ja",
        f"1002;Ødegård Lise;{lise};;94001761;2021-02;;lærling;nei;nei",
    ]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _staff_may_edit_members(staff):
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_member", "change_member", "view_member"])
    )


def test_preview_shows_the_rows_and_saves_nothing(staff_client, good_rows):
    response = staff_client.post(URL, {"file": csv_file(*good_rows)})
    assert response.status_code == 200
    assert response.context["preview"].is_valid
    assert "Importer alle 3 radene" in response.text
    assert not Member.objects.exists()


def test_confirming_imports_members_and_their_history(staff_client, staff, good_rows, employer):
    staff_client.post(URL, {"file": csv_file(*good_rows)})
    response = staff_client.post(URL, {"bekreft": "1"})
    assert response.status_code == 302
    linda = Member.objects.get(number="1001")
    assert linda.name == "Hauge Linda"
    assert linda.employee_number == "55"
    assert list(
        linda.deductions.values_list("first_period", "last_period", "travel_insurance")
    ) == [
        (Period(2021, 1), Period(2021, 3), False),
        (Period(2021, 4), Period(2021, 8), True),
    ]
    assert Member.objects.get(number="1002").deduction_in(Period(2021, 2)).category == (
        Category.APPRENTICE
    )
    event = AuditEvent.objects.get(action="members_imported")
    assert event.actor == staff
    assert event.details == {"rows": 3, "members": 2}


def test_a_windows_1252_file_with_commas_is_read(staff_client, employer):
    rows = [f"1001,Ødegård Åse,{synthetic_national_id(1)},,94001761,2021-01,,,,"]
    upload = csv_file(*rows, encoding="cp1252", header=HEADER.replace(";", ","))
    response = staff_client.post(URL, {"file": upload})
    assert response.context["preview"].rows[0].name == "Ødegård Åse"
    assert response.context["preview"].is_valid


def test_rows_with_errors_are_named_and_nothing_can_be_imported(staff_client, good_rows):
    bad = [
        *good_rows,
        "abc;;01010012357;;99999999;2021-13;;sjef;kanskje;nei",
        f"1003;Lærling Lars;{synthetic_national_id(3)};;94001761;2021-01;;lærling;ja;nei",
    ]
    response = staff_client.post(URL, {"file": csv_file(*bad)})
    preview = response.context["preview"]
    assert not preview.is_valid
    errors = {row.line: row.errors for row in preview.errors}
    assert set(errors) == {5, 6}
    assert "Fødselsnummeret er ikke gyldig." in errors[5]
    assert "Ukjent bedriftsnummer «99999999»." in errors[5]
    assert any("fra_maned" in error for error in errors[5])
    assert any("lærling" in error.lower() for error in errors[6])
    assert "Importer alle" not in response.text
    assert staff_client.post(URL, {"bekreft": "1"}).status_code == 302
    assert not Member.objects.exists()
    assert not Deduction.objects.exists()


def test_a_national_id_belonging_to_another_member_is_an_error(staff_client, employer, good_rows):
    Member.objects.create(number="9999", name="Annen Person", national_id=synthetic_national_id(1))
    response = staff_client.post(URL, {"file": csv_file(*good_rows)})
    assert not response.context["preview"].is_valid
    assert "tilhører et annet medlem" in response.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Filen er tom"),
        (b"navn;fodselsnummer\r\nA;1\r\n", "Disse kolonnene mangler"),
        (b"PK\x03\x04\x00\x00binary", "binære data"),
    ],
)
def test_a_bad_file_is_a_form_error_not_a_crash(staff_client, employer, content, message):
    upload = SimpleUploadedFile("x.csv", content, content_type="text/csv")
    response = staff_client.post(URL, {"file": upload})
    assert response.status_code == 200
    assert message in response.text


def test_contacts_cannot_reach_the_import(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_oversized_file_is_refused_before_it_is_read(staff_client, good_rows, monkeypatch):
    from django.core.files.uploadedfile import InMemoryUploadedFile
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    body = encode_multipart(BOUNDARY, {"file": csv_file(*good_rows)})
    monkeypatch.setattr("deductions.basis.member_import.MAX_BYTES", 10)
    monkeypatch.setattr(InMemoryUploadedFile, "read", lambda *a: pytest.fail("the file was read"))
    response = staff_client.generic("POST", URL, body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 200
    assert "Filen er for stor" in response.text

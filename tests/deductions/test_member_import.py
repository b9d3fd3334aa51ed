"""Staff import of members and deductions from the register's CSV export: upload, check in the
background, confirm, import in the background (the immediate task backend runs each task inside
the request that queues it; one test uses the database backend and its worker)."""

import signal
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from deductions.basis import member_import as imports
from deductions.basis.tasks import run_member_import
from deductions.models import Category, Deduction, Member, MemberImport
from deductions.models.member_imports import STALLED_AFTER, UNCONFIRMED_KEPT
from deductions.national_ids import synthetic_national_id
from deductions.period import Period

URL = reverse("admin:deductions_member_import")
HEADER = (
    "medlemsnummer;navn;fodselsnummer;ansattnummer;bedriftsnummer;fra_maned;til_maned;"
    "kategori;innbo;reise"
)
LINDA, LISE = synthetic_national_id(1), synthetic_national_id(2)


def csv_file(*rows, encoding="utf-8-sig", header=HEADER):
    text = "\r\n".join([header, *rows]) + "\r\n"
    return SimpleUploadedFile("register.csv", text.encode(encoding), content_type="text/csv")


def status_url(member_import, name="status"):
    return reverse(f"admin:deductions_member_import_{name}", args=[member_import.ref])


def upload(client, *rows, **options):
    """Uploads a file and follows to its status page (the check has run: immediate backend)."""
    response = client.post(URL, {"file": csv_file(*rows, **options)})
    assert response.status_code == 302, response.context["form"].errors
    member_import = MemberImport.objects.latest("created_at")
    assert response["Location"] == status_url(member_import)
    return member_import, client.get(response["Location"])


def row_errors(member_import):
    return {row["line"]: " ".join(row["errors"]) for row in member_import.errors}


@pytest.fixture
def good_rows(employer):
    return [
        f"1001;Hauge Linda;{LINDA};55;94001761;2021-01;;ordinær;ja;nei",
        f"1001;Hauge Linda;{LINDA};55;94001761;2021-04;2021-08;ordinær;ja;ja",
        f"1002;Ødegård Lise;{LISE};;94001761;2021-02;;lærling;nei;nei",
    ]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _staff_may_edit_members(staff):
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_member", "change_member", "view_member"])
    )


def test_upload_shows_a_summary_to_confirm_and_saves_nothing(staff_client, staff, good_rows):
    member_import, page = upload(staff_client, *good_rows)
    assert member_import.status == MemberImport.Status.READY
    assert member_import.created_by == staff
    assert (member_import.rows_total, member_import.member_count) == (3, 2)
    assert (member_import.new_count, member_import.error_count) == (2, 0)
    assert "Importer alle 3 radene" in page.text
    assert "Nye medlemmer</th><td>2" in page.text
    assert 'http-equiv="refresh"' not in page.text
    assert not Member.objects.exists()


def test_confirming_imports_members_and_their_history(staff_client, staff, good_rows):
    member_import, _ = upload(staff_client, *good_rows)
    response = staff_client.post(status_url(member_import, "confirm"))
    assert response["Location"] == status_url(member_import)
    member_import.refresh_from_db()
    assert member_import.status == MemberImport.Status.DONE
    assert member_import.confirmed_by == staff
    assert not member_import.file  # the national IDs are not kept once imported
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
    assert event.object_ref == str(member_import.ref)
    assert event.details == {"rows": 3, "members": 2, "new": 2, "changed": 0, "stopped": 0}
    page = staff_client.get(status_url(member_import))
    assert "Status: Importert" in page.text
    assert "Nye medlemmer</th><td>2" in page.text


def test_a_second_confirmation_imports_nothing_more(staff_client, good_rows):
    member_import, _ = upload(staff_client, *good_rows)
    staff_client.post(status_url(member_import, "confirm"))
    response = staff_client.post(status_url(member_import, "confirm"), follow=True)
    assert "allerede importert" in response.text
    assert AuditEvent.objects.filter(action="members_imported").count() == 1
    assert Deduction.objects.count() == 3


def test_the_same_file_again_changes_nothing(staff_client, good_rows):
    first, _ = upload(staff_client, *good_rows)
    staff_client.post(status_url(first, "confirm"))
    before = list(Deduction.objects.values_list("pk", "first_period", "last_period"))
    again, _ = upload(staff_client, *good_rows)
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 2)
    staff_client.post(status_url(again, "confirm"))
    assert list(Deduction.objects.values_list("pk", "first_period", "last_period")) == before


def test_counts_new_changed_and_stopped_members(staff_client, employer, good_rows):
    first, _ = upload(staff_client, *good_rows)
    staff_client.post(status_url(first, "confirm"))
    rows = [
        f"1001;Hauge Linda;{LINDA};56;94001761;2021-01;;ordinær;ja;nei",  # new employee number
        f"1002;Ødegård Lise;{LISE};;94001761;2021-02;2021-06;lærling;nei;nei",  # a stop
        f"1003;Berg Per;{synthetic_national_id(3)};;94001761;2021-05;;;;",
    ]
    member_import, _ = upload(staff_client, *rows)
    counts = (member_import.new_count, member_import.changed_count, member_import.stopped_count)
    assert counts == (1, 1, 1)
    staff_client.post(status_url(member_import, "confirm"))
    linda = Member.objects.get(number="1001")
    assert linda.employee_number == "56"
    # Her rows now say "from 2021-01 on, home insurance": the later spell is replaced.
    assert list(linda.deductions.values_list("first_period", "last_period")) == [
        (Period(2021, 1), None)
    ]
    lise = Member.objects.get(number="1002").deductions.get()
    assert lise.last_period == Period(2021, 6)


def test_rows_before_the_files_first_month_are_kept_and_cut(staff_client, employer):
    member = Member.objects.create(number="1001", name="Hauge Linda", national_id=LINDA)
    member.change_deduction(employer=employer, from_period=Period(2020, 1), home=True)
    member.change_deduction(employer=employer, from_period=Period(2021, 6))
    member_import, _ = upload(
        staff_client, f"1001;Hauge Linda;{LINDA};;94001761;2021-03;;ordinær;nei;ja"
    )
    assert member_import.changed_count == 1
    staff_client.post(status_url(member_import, "confirm"))
    assert list(member.deductions.values_list("first_period", "last_period", "home_insurance")) == [
        (Period(2020, 1), Period(2021, 2), True),
        (Period(2021, 3), None, False),
    ]


def test_a_windows_1252_file_with_commas_is_read(staff_client, employer):
    rows = [f"1001,Ødegård Åse,{synthetic_national_id(1)},,94001761,2021-01,,,,"]
    member_import, _ = upload(
        staff_client, *rows, encoding="cp1252", header=HEADER.replace(";", ",")
    )
    assert member_import.status == MemberImport.Status.READY
    staff_client.post(status_url(member_import, "confirm"))
    assert Member.objects.get().name == "Ødegård Åse"


def test_rows_with_errors_are_named_and_nothing_can_be_imported(staff_client, good_rows):
    bad = [
        *good_rows,
        "abc;;01010012357;;99999999;2021-13;;sjef;kanskje;nei",
        f"1003;Lærling Lars;{synthetic_national_id(3)};;94001761;2021-01;;lærling;ja;nei",
    ]
    member_import, page = upload(staff_client, *bad)
    assert member_import.status == MemberImport.Status.INVALID
    errors = row_errors(member_import)
    assert set(errors) == {5, 6}
    assert "Fødselsnummeret er ikke gyldig." in errors[5]
    assert "Ukjent bedriftsnummer «99999999»." in errors[5]
    assert "fra_maned «2021-13»" in errors[5]
    assert "lærling" in errors[6].lower()
    assert "2 rader har feil" in page.text
    assert "Importer alle" not in page.text
    response = staff_client.post(status_url(member_import, "confirm"), follow=True)
    assert "allerede importert eller lagt i kø" in response.text
    assert not Member.objects.exists()
    assert not member_import.file  # nothing more can be done with it


def test_two_rows_for_the_same_member_and_month_are_both_errors(staff_client, employer):
    rows = [
        f"1001;Hauge Linda;{LINDA};;94001761;2021-01;2021-03;;ja;nei",
        f"1002;Ødegård Lise;{LISE};;94001761;2021-01;;;;",
        f"1001;Hauge Linda;{LINDA};;94001761;2021-01;;;nei;nei",
    ]
    member_import, _ = upload(staff_client, *rows)
    errors = row_errors(member_import)
    assert set(errors) == {2, 4}
    assert "annen rad fra 2021-01 på linje 4" in errors[2]
    assert "annen rad fra 2021-01 på linje 2" in errors[4]


def test_a_stop_after_the_next_rows_start_is_an_overlap_on_both_rows(staff_client, employer):
    rows = [
        f"1001;Hauge Linda;{LINDA};;94001761;2021-01;2021-12;;ja;nei",
        f"1001;Hauge Linda;{LINDA};;94001761;2021-06;;;nei;nei",
        f"1001;Hauge Linda;{LINDA};;94001761;2022-03;;;nei;ja",  # follows an open row: fine
    ]
    member_import, _ = upload(staff_client, *rows)
    errors = row_errors(member_import)
    assert set(errors) == {2, 3}
    assert "Stopper 2021-12, men linje 3 begynner 2021-06" in errors[2]
    assert "linje 2 stopper først 2021-12" in errors[3]


def test_rows_of_one_member_with_different_names_or_national_ids_are_errors(staff_client, employer):
    rows = [
        f"1001;Hauge Linda;{LINDA};;94001761;2021-01;;;;",
        f"1001;Hauge Lina;{LINDA};;94001761;2021-04;;;;",
        f"1001;Hauge Linda;{LISE};;94001761;2021-06;;;;",
        f"1002;Ødegård Lise;{LINDA};;94001761;2021-01;;;;",
    ]
    member_import, _ = upload(staff_client, *rows)
    errors = row_errors(member_import)
    assert "annet navn på linje 3" in errors[2]
    assert "annet fødselsnummer på linje 4" in errors[2]
    assert "annet medlemsnummer på linje 5" in errors[2]
    assert "annet navn på linje 2" in errors[3]
    assert "annet fødselsnummer på linje 2" in errors[4]
    assert "annet medlemsnummer på linje 2" in errors[5]


def test_a_national_id_belonging_to_another_member_is_an_error(staff_client, good_rows):
    Member.objects.create(number="9999", name="Annen Person", national_id=LINDA)
    member_import, page = upload(staff_client, *good_rows)
    assert member_import.status == MemberImport.Status.INVALID
    assert "tilhører et annet medlem i registeret (medlemsnr. 9999)" in page.text


def test_a_member_number_with_another_national_id_in_the_register_is_an_error(
    staff_client, good_rows
):
    Member.objects.create(number="1001", name="Hauge Linda", national_id=synthetic_national_id(9))
    member_import, _ = upload(staff_client, *good_rows)
    assert "annet fødselsnummer i registeret" in row_errors(member_import)[2]
    assert Member.objects.get(number="1001").national_id == synthetic_national_id(9)


def test_errors_are_shown_fifty_a_page(staff_client, employer):
    rows = [
        f"{2000 + n};Navn {n};{synthetic_national_id(n)};;99999999;2021-01;;;;" for n in range(120)
    ]
    member_import, first = upload(staff_client, *rows)
    assert member_import.error_count == 120
    assert first.text.count('<tr class="errors">') == 50
    assert "Side 1 av 3" in first.text
    last = staff_client.get(status_url(member_import), {"side": 3})
    assert last.text.count('<tr class="errors">') == 20
    assert ">2119<" in last.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Filen er tom"),
        (HEADER.encode() + b"\r\n", "Filen har ingen rader"),
        (HEADER.encode() + b"\r\n\r\n  \r\n", "Filen har ingen rader"),
        (b"navn;fodselsnummer\r\nA;1\r\n", "Disse kolonnene mangler"),
        (b"PK\x03\x04\x00\x00binary", "binære data"),
    ],
)
def test_a_bad_file_is_a_form_error_not_a_crash(staff_client, employer, content, message):
    upload = SimpleUploadedFile("x.csv", content, content_type="text/csv")
    response = staff_client.post(URL, {"file": upload})
    assert response.status_code == 200
    assert message in response.text
    assert not MemberImport.objects.exists()


def test_the_status_page_refreshes_itself_while_the_import_waits(staff_client, good_rows):
    member_import, _ = upload(staff_client, *good_rows)
    MemberImport.objects.filter(pk=member_import.pk).update(status=MemberImport.Status.QUEUED)
    page = staff_client.get(status_url(member_import))
    assert '<meta http-equiv="refresh" content="2">' in page.text
    assert "venter på en ledig arbeidsprosess" in page.text
    assert "Start på nytt" not in page.text


def test_the_upload_page_lists_recent_imports(staff_client, good_rows):
    member_import, _ = upload(staff_client, *good_rows)
    page = staff_client.get(URL)
    assert status_url(member_import) in page.text
    assert "Klar til import" in page.text


def test_a_checked_import_left_unconfirmed_for_a_week_expires_and_its_file_is_deleted(
    staff_client, good_rows
):
    member_import, _ = upload(staff_client, *good_rows)
    stored = member_import.file.name
    a_week_ago = timezone.now() - UNCONFIRMED_KEPT - timedelta(minutes=1)
    MemberImport.objects.filter(pk=member_import.pk).update(updated_at=a_week_ago)

    staff_client.get(URL)  # the next visit to the upload page expires it
    member_import.refresh_from_db()
    page = staff_client.get(status_url(member_import))
    confirmed = staff_client.post(status_url(member_import, "confirm"))

    assert member_import.status == MemberImport.Status.EXPIRED
    assert not member_import.file and not default_storage.exists(stored)
    assert "ble ikke bekreftet innen sju dager" in page.text
    assert "Importer alle" not in page.text
    assert confirmed.status_code in (302, 409) and Deduction.objects.count() == 0


def test_an_import_checked_within_the_week_is_kept(staff_client, good_rows):
    member_import, _ = upload(staff_client, *good_rows)
    staff_client.get(URL)
    member_import.refresh_from_db()
    assert member_import.status == MemberImport.Status.READY
    assert default_storage.exists(member_import.file.name)


def test_an_import_run_twice_imports_once(staff_client, good_rows):
    member_import, _ = upload(staff_client, *good_rows)
    staff_client.post(status_url(member_import, "confirm"))
    member_import.refresh_from_db()
    run_member_import.enqueue(str(member_import.ref), member_import.attempt)
    assert Deduction.objects.count() == 3
    assert AuditEvent.objects.filter(action="members_imported").count() == 1


def test_a_stalled_import_can_be_started_again_and_the_old_run_writes_nothing(
    staff_client, staff, good_rows, time_machine
):
    member_import, _ = upload(staff_client, *good_rows)
    attempt = member_import.confirm(user=staff)  # queued, but its worker died at once
    MemberImport.objects.filter(pk=member_import.pk).update(status=MemberImport.Status.IMPORTING)
    time_machine.move_to(timezone.now() + STALLED_AFTER * 2)
    page = staff_client.get(status_url(member_import))
    assert "Start på nytt" in page.text
    staff_client.post(status_url(member_import, "restart"))
    member_import.refresh_from_db()
    assert member_import.status == MemberImport.Status.DONE
    assert member_import.attempt == attempt + 1
    assert AuditEvent.objects.filter(action="members_import_restarted").count() == 1
    # The run presumed dead wakes up: its attempt is outdated, it writes nothing.
    MemberImport.objects.filter(pk=member_import.pk).update(status=MemberImport.Status.QUEUED)
    assert imports.member_import_apply(ref=member_import.ref, attempt=attempt) is None
    assert Deduction.objects.count() == 3


def test_an_import_that_is_running_is_not_started_again(staff_client, staff, good_rows):
    member_import, _ = upload(staff_client, *good_rows)
    member_import.confirm(user=staff)
    response = staff_client.post(status_url(member_import, "restart"), follow=True)
    assert "startes ikke på nytt" in response.text
    assert MemberImport.objects.get().status == MemberImport.Status.QUEUED


def test_a_crash_rolls_back_and_the_import_can_be_started_again(
    staff_client, good_rows, monkeypatch
):
    member_import, _ = upload(staff_client, *good_rows)

    def crash(summary):
        Member.objects.bulk_create([member for member, _ in summary.new_members])
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "write", crash)
    staff_client.post(status_url(member_import, "confirm"))
    member_import.refresh_from_db()
    assert member_import.status == MemberImport.Status.FAILED
    assert "ingenting er importert" in member_import.failure
    assert not Member.objects.exists()
    monkeypatch.undo()
    page = staff_client.get(status_url(member_import))
    assert "Start på nytt" in page.text
    staff_client.post(status_url(member_import, "restart"))
    assert MemberImport.objects.get().status == MemberImport.Status.DONE
    assert Member.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_check_and_the_import(staff_client, settings, good_rows):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        staff_client.post(URL, {"file": csv_file(*good_rows)})
        member_import = MemberImport.objects.get()
        assert member_import.status == MemberImport.Status.CHECKING
        assert "Kontrollerer 0 av 3 rader" in staff_client.get(status_url(member_import)).text
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        member_import.refresh_from_db()
        assert member_import.status == MemberImport.Status.READY
        staff_client.post(status_url(member_import, "confirm"))
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    member_import.refresh_from_db()
    assert member_import.status == MemberImport.Status.DONE
    assert Member.objects.count() == 2


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

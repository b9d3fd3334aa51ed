"""Uploading a list as CSV or XLSX: every encoding and separator, the template, each bad file."""

import io
import os
import zipfile
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts.models import AuditEvent
from deductions.lists import pending_uploads
from deductions.lists.upload_views import PENDING_UPLOAD
from deductions.models import BasisLine, DeductionList, Reason
from deductions.national_ids import synthetic_national_id
from tests.trekkportal import workbooks
from trekkportal import uploads

UPLOAD = reverse("deductions:list_upload", args=["2021-02"])


def ids(february):
    return dict(BasisLine.objects.filter(basis=february).values_list("name", "national_id"))


def csv_bytes(february, separator=";", encoding="utf-8", header=None):
    people = ids(february)
    header = header or ["Fødselsnummer", "Navn", "Kontingent", "Innbo", "Reise", "Sum", "Årsak"]
    rows = [
        header,
        [people["Hauge Linda"], "Hauge Linda", "310,50", "85", "91", "486,50", ""],
        [people["Ny Nina"], "Ny Nina", "0", "0", "0", "", "Permisjon uten lønn"],
        [people["=Lærling Lise"], "Lærling Lise", "200", "", "", "", ""],
    ]
    text = "\r\n".join(separator.join(row) for row in rows)
    if separator == ",":
        text = text.replace("310,50", '"310,50"').replace("486,50", '"486,50"')
    return text.encode(encoding)


def upload(client, content, name="trekkliste.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def delivered_lines(february):
    deduction_list = DeductionList.objects.get(basis=february)
    return deduction_list, {line.name: line for line in deduction_list.lines.all()}


@pytest.mark.parametrize(
    ("separator", "encoding"),
    [(";", "utf-8"), (";", "utf-8-sig"), (",", "utf-8"), (";", "cp1252"), (",", "cp1252")],
)
def test_a_csv_in_each_encoding_and_separator_is_read(owner_client, february, separator, encoding):
    response = upload(owner_client, csv_bytes(february, separator, encoding))
    assert response.status_code == 302
    deduction_list, lines = delivered_lines(february)
    assert response.url == reverse("deductions:list_confirm", args=[deduction_list.public_id])
    assert lines["Hauge Linda"].total == Decimal("486.50")
    assert lines["Ny Nina"].reason == Reason.UNPAID_LEAVE
    assert lines["Lærling Lise"].dues == Decimal("200.00")  # æ survived the encoding
    assert deduction_list.source == DeductionList.Source.UPLOAD
    assert deduction_list.original_filename == "trekkliste.csv"
    assert deduction_list.original_file.name.startswith("trekklister/filer/")
    assert "trekkliste.csv" not in deduction_list.original_file.name  # a generated name
    with deduction_list.original_file.open("rb") as stored:
        assert stored.read() == csv_bytes(february, separator, encoding)
    assert AuditEvent.objects.filter(action="list_uploaded").count() == 1
    assert not deduction_list.is_delivered  # delivered only after the confirmation


def test_headers_are_matched_tolerantly(owner_client, february):
    header = [
        "  FNR ",
        "navn",
        "FAGFORENINGSTREKK",
        "Innbo-forsikring",
        "reise forsikring",
        "SUM",
        "arsak",
    ]
    response = upload(owner_client, csv_bytes(february, header=header))
    assert response.status_code == 302


def test_an_xlsx_is_read_after_a_title_row(owner_client, february):
    people = ids(february)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Trekkliste februar"])
    sheet.append(["Fødselsnummer", "Navn", "Kontingent", "Innboforsikring", "Reiseforsikring"])
    sheet.append([people["Hauge Linda"], "Hauge Linda", 310.5, 85, 91])
    sheet.append([int(people["Ny Nina"]), "Ny Nina", 120, 85, 0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(owner_client, buffer.getvalue(), "liste.xlsx")
    assert response.status_code == 302
    _, lines = delivered_lines(february)
    assert lines["Hauge Linda"].total == Decimal("486.50")
    assert lines["Ny Nina"].total == Decimal("205.00")


def xlsx_of(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_amount_is_read_as_excel_shows_it(owner_client, february):
    """Excel stores 152,40 as 152.39999999999998; it was refused as more than two decimals."""
    people = ids(february)
    content = xlsx_of(
        [
            ["Fødselsnummer", "Navn", "Kontingent", "Innbo"],
            [people["Hauge Linda"], "Hauge Linda", 152.39999999999998, 0.1 + 0.2],
            [people["Ny Nina"], "Ny Nina", 100.00000000000001, 85],
        ]
    )
    response = upload(owner_client, content, "liste.xlsx")
    assert response.status_code == 302
    _, lines = delivered_lines(february)
    assert lines["Hauge Linda"].dues == Decimal("152.40")
    assert lines["Hauge Linda"].home_insurance == Decimal("0.30")
    assert lines["Ny Nina"].dues == Decimal("100.00")


@pytest.mark.parametrize("amount", [152.345, 2.675, 0.005])
def test_an_excel_amount_with_more_than_two_decimals_is_still_an_error(
    owner_client, february, amount
):
    people = ids(february)
    content = xlsx_of(
        [["Fødselsnummer", "Navn", "Kontingent"], [people["Hauge Linda"], "Hauge Linda", amount]]
    )
    response = upload(owner_client, content, "liste.xlsx")
    assert response.status_code == 400
    assert (2, "Kontingent", "Beløpet kan ha høyst to desimaler (øre).") in response.context[
        "result"
    ].problems
    assert not DeductionList.objects.exists()


def test_a_sheet_declaring_the_whole_grid_is_read_as_the_rows_it_has(owner_client, february):
    """Issue 12: `A1:XFD1048576` in a 1.6 KB file cost a worker 1.35 GB."""
    people = ids(february)
    content = workbooks.workbook(
        [
            ["Fødselsnummer", "Navn", "Kontingent"],
            [people["Hauge Linda"], "Hauge Linda", "310,50"],
            [people["Ny Nina"], "Ny Nina", 120],
        ],
        dimension="A1:XFD1048576",
    )
    assert len(content) < 3000
    response = upload(owner_client, content, "liste.xlsx")
    assert response.status_code == 302
    _, lines = delivered_lines(february)
    assert sorted(lines) == ["Hauge Linda", "Ny Nina"]


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("UPLOAD_PARSE_SECONDS", 1, "Filen tok for lang tid å lese."),
        ("UPLOAD_PARSE_MAX_MEMORY", 64 * 1024 * 1024, "Filen er for stor å lese."),
    ],
)
def test_a_workbook_over_the_time_or_memory_limit_is_a_form_error(
    owner_client, february, settings, monkeypatch, setting, value, message
):
    settings.UPLOAD_PARSE_SECONDS = 120
    setattr(settings, setting, value)
    if setting == "UPLOAD_PARSE_SECONDS":
        monkeypatch.setattr(uploads, "_CHILD", "import time; time.sleep(30)")
    content = workbooks.workbook([["Fødselsnummer", "Navn"]], shared_strings=300_000)
    response = upload(owner_client, content, "liste.xlsx")
    assert response.status_code == 400
    assert message in response.text
    assert not DeductionList.objects.exists()


def test_every_problem_is_named_by_row_and_column_and_nothing_is_kept(owner_client, february):
    people = ids(february)
    text = "\n".join(
        [
            "Fødselsnummer;Navn;Kontingent;Årsak",
            f"{people['Hauge Linda']};Hauge Linda;tre hundre;",
            "12345678901;Feil Fnr;100;",
            f"{people['Ny Nina']};Ny Nina;100;ferie",
            f"{people['Ny Nina']};Ny Nina;100;",
            f'{people["=Lærling Lise"]};=HYPERLINK("http://x");100;',
        ]
    )
    response = upload(owner_client, text.encode())
    assert response.status_code == 400
    problems = response.context["result"].problems
    assert (
        2,
        "Kontingent",
        "«tre hundre» er ikke et beløp (skriv for eksempel 123,45).",
    ) in problems
    assert (3, "Fødselsnummer", "Fødselsnummeret er ikke gyldig (elleve sifre).") in problems
    assert any(row == 4 and column == "Årsak" for row, column, _ in problems)
    assert (5, "Fødselsnummer", "Personen står også på rad 4.") in problems
    assert any(row == 6 and column == "Navn" and "formel" in text for row, column, text in problems)
    assert "Rad" in response.text and "Ingenting er lagret" in response.text
    assert not DeductionList.objects.exists()


def small_limit(monkeypatch, max_bytes):
    monkeypatch.setattr(
        uploads, "DEDUCTION_LIST", replace(uploads.DEDUCTION_LIST, default_max_bytes=max_bytes)
    )


def test_a_file_that_is_too_large_is_refused_before_reading(owner_client, february, monkeypatch):
    small_limit(monkeypatch, 100)
    monkeypatch.setattr(uploads, "sniff", lambda head: pytest.fail("the file was read"))
    response = upload(owner_client, b"x" * 101)
    assert response.status_code == 400
    assert "Filen er for stor (høyst" in response.text


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.7 not a list", "liste.csv", "Filen er verken CSV eller XLSX"),
        (b"\x89PNG\r\n\x1a\n....", "liste.xlsx", "Filen er verken CSV eller XLSX"),
        (b"abc\x00def", "liste.csv", "binære data"),
        (b"PK\x03\x04 this is no zip", "liste.xlsx", "Regnearket er ødelagt"),
        (b"Navn;Kontingent\nOla;100", "liste.csv", "Fant ingen overskriftsrad"),
        ("Fødselsnummer;Navn\n".encode(), "liste.csv", "Disse kolonnene mangler: Kontingent."),
        (b"", "liste.csv", "Filen er tom"),
        (b"Fodselsnummer;Navn;Kontingent\n\x81\x8d", "liste.csv", "ukjent tegnkoding"),
    ],
)
def test_each_bad_file_is_a_form_error_naming_the_problem(
    owner_client, february, content, name, message
):
    response = upload(owner_client, content, name)
    assert response.status_code == 400
    assert message in response.text
    assert not DeductionList.objects.exists()


def zip_bytes(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_opening(owner_client, february):
    bomb = zip_bytes([("xl/workbook.xml", b"<x/>"), ("xl/big.xml", b"0" * (60 * 1024 * 1024))])
    assert len(bomb) < 1024 * 1024
    response = upload(owner_client, bomb, "liste.xlsx")
    assert response.status_code == 400
    assert "for stort når det pakkes ut" in response.text


def test_a_zip_with_too_many_entries_is_refused(owner_client, february):
    many = zip_bytes([("xl/workbook.xml", b"<x/>")] + [(f"f{n}", b"") for n in range(300)])
    response = upload(owner_client, many, "liste.xlsx")
    assert "for mange deler" in response.text


def test_a_macro_workbook_is_refused_by_name_and_by_content(owner_client, february):
    response = upload(owner_client, b"whatever", "liste.xlsm")
    assert "makroer" in response.text
    macro = zip_bytes([("xl/workbook.xml", b"<x/>"), ("xl/vbaProject.bin", b"\x00")])
    response = upload(owner_client, macro, "liste.xlsx")
    assert response.status_code == 400
    assert "makroer" in response.text


def test_a_formula_in_an_xlsx_is_a_row_error(owner_client, february):
    people = ids(february)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Fødselsnummer", "Navn", "Kontingent"])
    sheet.append([people["Hauge Linda"], "Hauge Linda", "=1+1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(owner_client, buffer.getvalue(), "liste.xlsx")
    assert response.status_code == 400
    assert (
        2,
        "Kontingent",
        "Cellen inneholder en formel; skriv beløpet i stedet.",
    ) in response.context["result"].problems


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_prefilled_template_reads_back_in(owner_client, february, fmt):
    url = reverse("deductions:list_template", args=["2021-02", fmt])
    response = owner_client.get(url)
    assert response.status_code == 200
    content = response.getvalue()
    if fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        assert rows[1][0] == "Fødselsnummer"
        assert "'=Lærling Lise" in [row[1] for row in rows]  # formula text neutralised
    else:
        assert content.startswith("\ufeffFødselsnummer;Navn;Kontingent".encode())
        assert "'=Lærling Lise".encode() in content
    assert AuditEvent.objects.filter(action="list_template_downloaded").count() == 1
    response = upload(owner_client, content, f"mal.{fmt}")
    assert response.status_code == 302  # read back as it was downloaded
    deduction_list, lines = delivered_lines(february)
    assert lines["Hauge Linda"].home_insurance == Decimal("85.00")
    assert "=Lærling Lise" in lines  # the export's neutralising apostrophe is taken off again
    assert len(lines) == 3


def test_the_template_downloads_whatever_characters_the_employer_name_holds(
    owner_client, february, employer
):
    employer.name = "Astma: [AS]*?"
    employer.save()
    response = owner_client.get(reverse("deductions:list_template", args=["2021-02", "xlsx"]))
    assert response.status_code == 200
    title = load_workbook(io.BytesIO(response.content)).active.title
    assert title.startswith("Trekkliste 2021-02 – Astma")
    assert not set(title) & set("[]:*?/\\")


def test_uploading_after_delivery_makes_a_supplementary_list(owner_client, february):
    upload(owner_client, csv_bytes(february))
    main = DeductionList.objects.get()
    owner_client.post(reverse("deductions:list_confirm", args=[main.public_id]))
    extra = f"Fødselsnummer;Navn;Kontingent\n{synthetic_national_id(950)};Sen Siri;99"
    assert upload(owner_client, extra.encode()).status_code == 302
    supplementary = DeductionList.objects.get(kind=DeductionList.Kind.SUPPLEMENTARY)
    assert supplementary.total == Decimal("99.00")
    main.refresh_from_db()
    assert main.is_delivered and main.lines.count() == 3


def deliver_main_list(client, february):
    upload(client, csv_bytes(february))
    main = DeductionList.objects.get()
    client.post(reverse("deductions:list_confirm", args=[main.public_id]))
    main.refresh_from_db()
    assert main.is_delivered
    return main


def pending_files():
    from django.core.files.storage import default_storage

    if not default_storage.exists("trekklister/venter"):
        return []
    return default_storage.listdir("trekklister/venter")[1]


def test_a_question_never_answered_leaves_its_file_for_a_day_at_most(owner_client, february):
    deliver_main_list(owner_client, february)
    upload(owner_client, csv_bytes(february))  # asked, never answered: the tab was closed
    (forgotten,) = pending_files()
    session = owner_client.session
    del session[PENDING_UPLOAD]  # and that session has ended since
    session.save()
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(default_storage.path(f"trekklister/venter/{forgotten}"), (two_days_ago,) * 2)

    upload(owner_client, csv_bytes(february))  # the next question clears it away
    (kept,) = pending_files()

    assert kept != forgotten


def test_a_file_waiting_for_its_answer_is_not_pruned(owner_client, february):
    deliver_main_list(owner_client, february)
    upload(owner_client, csv_bytes(february))
    assert pending_uploads.prune() == 0
    assert len(pending_files()) == 1


def test_the_full_list_uploaded_again_after_delivery_is_not_saved_without_asking(
    owner_client, february
):
    """Issue 11: it became a supplementary list that doubled the month and said "Ingen avvik"."""
    deliver_main_list(owner_client, february)
    response = upload(owner_client, csv_bytes(february))
    assert response.status_code == 409
    assert "Dette ser ut som hele trekklisten for 02/2021, som allerede er levert" in response.text
    assert "Da kan forbundet åpne den igjen" in response.text  # and the file can replace it
    assert "3 av personene står også på den leverte listen" in response.text
    assert DeductionList.objects.count() == 1
    assert len(pending_files()) == 1

    response = owner_client.post(UPLOAD, {"gjentatt": "avbryt"})
    assert response.status_code == 302
    assert DeductionList.objects.count() == 1
    assert pending_files() == []


def test_the_full_list_is_uploaded_as_a_supplementary_list_when_the_user_confirms(
    owner_client, february
):
    main = deliver_main_list(owner_client, february)
    upload(owner_client, csv_bytes(february), "hele-listen.csv")
    response = owner_client.post(UPLOAD, {"gjentatt": "tillegg"})
    supplementary = DeductionList.objects.get(kind=DeductionList.Kind.SUPPLEMENTARY)
    assert response.status_code == 302
    assert response.url == reverse("deductions:list_confirm", args=[supplementary.public_id])
    assert supplementary.lines.count() == 3
    assert supplementary.total == main.total
    assert supplementary.original_filename == "hele-listen.csv"
    with supplementary.original_file.open("rb") as stored:
        assert stored.read() == csv_bytes(february)
    assert pending_files() == []
    assert not supplementary.is_delivered  # still to be confirmed and delivered as any list


def test_a_list_with_a_total_close_to_the_delivered_one_is_asked_about(owner_client, february):
    main = deliver_main_list(owner_client, february)
    others = "\n".join(
        f"{synthetic_national_id(900 + number)};Annen {number};{main.total / 3:.2f}"
        for number in range(3)
    )
    response = upload(owner_client, f"Fødselsnummer;Navn;Kontingent\n{others}".encode())
    assert response.status_code == 409
    assert "0 av personene står også på den leverte listen" in response.text


def test_an_answer_without_a_pending_upload_asks_for_the_file_again(owner_client, february):
    deliver_main_list(owner_client, february)
    response = owner_client.post(UPLOAD, {"gjentatt": "tillegg"}, follow=True)
    assert "Spørsmålet er utløpt. Last opp filen på nytt." in response.text
    assert DeductionList.objects.count() == 1


def test_the_type_is_decided_by_content_not_by_name(owner_client, february):
    response = upload(owner_client, csv_bytes(february), "liste.xlsx")
    assert response.status_code == 302  # a CSV called .xlsx is read as the CSV it is
    workbook = Workbook()
    workbook.active.append(["Fødselsnummer", "Navn", "Kontingent"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(owner_client, buffer.getvalue(), "liste.csv")
    assert "Filen har ingen rader under overskriftene." in response.text  # read as XLSX


def test_audit_rows_of_the_list_hold_no_national_ids(owner_client, february):
    upload(owner_client, csv_bytes(february))
    national_ids = set(BasisLine.objects.values_list("national_id", flat=True))
    for event in AuditEvent.objects.all():
        text = f"{event.details} {event.object_ref}"
        assert not any(national_id in text for national_id in national_ids)


def test_a_clean_file_leads_to_a_preview_of_its_lines_before_delivery(owner_client, february):
    response = upload(owner_client, csv_bytes(february))
    preview = owner_client.get(response.url)
    assert preview.status_code == 200
    body = preview.text
    assert "Kontroller før levering" in body
    assert "Hauge Linda" in body and "486,50" in body and "Permisjon uten lønn" in body
    assert '<details class="mb-3" open>' in body


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(
    owner_client, february, monkeypatch
):
    from deductions.lists import upload_views

    small_limit(monkeypatch, 1000)
    response = upload(owner_client, b"x" * (upload_views.UPLOAD_ENVELOPE + 2000))
    assert response.status_code == 413
    assert "Filen er for stor (høyst" in response.text
    assert not DeductionList.objects.exists()


def test_the_upload_needs_the_csrf_token(owner, employer, february):
    from tests.conftest import client_for

    strict = client_for(owner, employer)
    strict.handler.enforce_csrf_checks = True
    response = strict.post(UPLOAD, {"file": SimpleUploadedFile("l.csv", csv_bytes(february))})
    assert response.status_code == 403
    assert not DeductionList.objects.exists()


def test_xml_entities_in_a_workbook_are_refused_not_expanded(owner_client, february):
    """openpyxl parses through defusedxml when it is installed: without it this entity (and a
    billion-laughs one) would be expanded and the file accepted."""
    workbook = Workbook()
    workbook.active.append(["Fødselsnummer", "Navn", "Kontingent"])
    workbook.active.append([ids(february)["Hauge Linda"], "NAVN", "100"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(buffer)
    declared = io.BytesIO()
    with zipfile.ZipFile(declared, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                doctype = b'<!DOCTYPE worksheet [<!ENTITY navn "Hauge Linda">]>'
                data = doctype + data.replace(b"NAVN", b"&navn;")
            target.writestr(entry, data)
    response = upload(owner_client, declared.getvalue(), "liste.xlsx")
    assert response.status_code == 400
    assert not DeductionList.objects.exists()

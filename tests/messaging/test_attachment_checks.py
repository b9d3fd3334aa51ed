from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError

from messaging import attachments
from messaging.attachments import check_attachment
from tests.messaging.conftest import (
    CSV_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    upload,
    xlsx_bytes,
    zip_bomb_bytes,
)
from trekkportal import uploads


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("kvittering.pdf", PDF_BYTES, attachments.PDF),
        ("skjerm.png", PNG_BYTES, attachments.PNG),
        ("bilde.JPG", JPEG_BYTES, attachments.JPEG),
        ("liste.csv", CSV_BYTES, attachments.CSV),
        ("liste.csv", "navn;beløp\nÅse;1\n".encode("cp1252"), attachments.CSV),
        ("liste.xlsx", None, attachments.XLSX),
    ],
)
def test_accepted_files_get_the_type_their_content_shows(name, content, expected):
    checked = check_attachment(upload(name, content if content is not None else xlsx_bytes()))

    assert checked.content_type == expected
    assert checked.name == name


def test_the_type_the_browser_claims_is_ignored():
    checked = check_attachment(upload("kvittering.pdf", PDF_BYTES, content_type="text/html"))

    assert checked.content_type == attachments.PDF


def _error(name, content):
    with pytest.raises(ValidationError) as error:
        check_attachment(upload(name, content))
    return " ".join(error.value.messages)


def test_a_file_over_the_limit_is_refused_before_it_is_read(settings, monkeypatch):
    settings.MESSAGE_ATTACHMENT_MAX_BYTES = 1024
    monkeypatch.setattr(uploads, "sniff", lambda *a: pytest.fail("content was read"))

    assert "for stor" in _error("stor.pdf", PDF_BYTES + b"0" * 2000)


def test_an_empty_file_is_refused():
    assert "tom" in _error("tom.pdf", b"")


def test_a_program_renamed_to_pdf_is_refused_by_its_content():
    assert "kjenner ikke igjen filtypen" in _error("faktura.pdf", b"MZ\x90\x00\x03\x00binary")


def test_html_named_png_is_refused():
    assert "passer ikke med filendelsen" in _error("bilde.png", b"<html><script>x</script>")


def test_a_pdf_named_png_is_refused():
    assert "passer ikke med filendelsen" in _error("bilde.png", PDF_BYTES)


def test_binary_data_named_csv_is_refused():
    assert "kjenner ikke igjen filtypen" in _error("liste.csv", b"abc\x00\x01\x02def")


def test_a_broken_xlsx_is_refused():
    data = xlsx_bytes()
    assert "ikke et gyldig Excel-ark" in _error("liste.xlsx", data[: len(data) // 2])


def test_a_zip_that_is_no_workbook_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hei")
    assert "ikke et gyldig Excel-ark" in _error("liste.xlsx", buffer.getvalue())


def test_a_workbook_is_stored_as_sent_without_being_parsed(monkeypatch):
    """An attachment is stored, not read: a sound archive whose XML Excel would complain about
    is the sender's business; parsing it cost a worker a minute for some files (issue 12)."""
    import io
    import zipfile

    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("was parsed"))
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "xl/workbook.xml":
                content = b"<workbook><not-closed>"
            archive.writestr(entry, content)

    checked = check_attachment(upload("liste.xlsx", buffer.getvalue()))

    assert checked.content_type == attachments.XLSX


def test_an_xlsm_file_is_refused_by_its_name():
    assert "makroer" in _error("liste.xlsm", xlsx_bytes(macro=True))


def test_a_macro_workbook_renamed_to_xlsx_is_refused_by_its_content():
    assert "makroer" in _error("liste.xlsx", xlsx_bytes(macro=True))


def test_a_zip_bomb_is_refused_without_unpacking_it(monkeypatch):
    monkeypatch.setattr(uploads, "verify_archive", lambda *a: pytest.fail("was unpacked"))

    assert "for stor når den pakkes ut" in _error("liste.xlsx", zip_bomb_bytes())


def test_a_zip_with_too_many_entries_is_refused(monkeypatch):
    import io
    import zipfile

    ten_parts = replace(uploads.ATTACHMENT_XLSX, max_entries=10)
    monkeypatch.setattr(uploads, "ATTACHMENT", replace(uploads.ATTACHMENT, xlsx=ten_parts))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(11):
            archive.writestr(f"xl/part{number}.xml", "<x/>")
    assert "for mange deler" in _error("liste.xlsx", buffer.getvalue())


def test_a_path_in_the_file_name_is_dropped():
    checked = check_attachment(upload("../../etc/kvittering.pdf", PDF_BYTES))

    assert checked.name == "kvittering.pdf"


def test_a_damaged_xlsx_is_refused_as_no_valid_excel_sheet_unless_it_still_opens():
    data = xlsx_bytes()
    refused, opened = [], []
    for position in range(30, len(data), max(1, len(data) // 40)):
        damaged = bytearray(data)
        damaged[position : position + 8] = b"\xff" * 8
        try:
            checked = check_attachment(upload("liste.xlsx", bytes(damaged)))
        except ValidationError as error:
            refused.append(" ".join(error.messages))
        else:
            opened.append(checked.content_type)

    assert set(refused) == {"«liste.xlsx» er ikke et gyldig Excel-ark (.xlsx)."}
    # Damage in bytes nothing reads (a timestamp, an unused part) leaves a workbook that opens.
    assert set(opened) <= {attachments.XLSX}
    assert len(refused) > 2 * len(opened)

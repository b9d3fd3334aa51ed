"""Workbooks written part by part, as a hostile or careless program could: a declared size of
the whole sheet, thousands of empty rows, megabytes of shared strings. openpyxl would never
write them; Excel and others do. Used by the upload tests and `bench/uploads.py`."""

import io
import random
import zipfile
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SPREADSHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _override(part, content_type):
    return f'<Override PartName="{part}" ContentType="{SPREADSHEETML}.{content_type}+xml"/>'


def _relationships(*targets):
    entries = "".join(
        f'<Relationship Id="rId{number}" Type="{RELATIONSHIP}/{kind}" Target="{target}"/>'
        for number, (kind, target) in enumerate(targets, start=1)
    )
    return f'<Relationships xmlns="{PACKAGE}/relationships">{entries}</Relationships>'


CONTENT_TYPES = (
    f'<Types xmlns="{PACKAGE}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    + _override("/xl/workbook.xml", "sheet.main")
    + _override("/xl/worksheets/sheet1.xml", "worksheet")
    + _override("/xl/sharedStrings.xml", "sharedStrings")
    + "</Types>"
)
ROOT_RELS = _relationships(("officeDocument", "xl/workbook.xml"))
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIP}">'
    '<sheets><sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = _relationships(
    ("worksheet", "worksheets/sheet1.xml"), ("sharedStrings", "sharedStrings.xml")
)


def _cell(reference, value):
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row_xml(number, values):
    cells = "".join(
        _cell(f"{get_column_letter(column)}{number}", value)
        for column, value in enumerate(values, start=1)
        if value not in ("", None)
    )
    return f'<row r="{number}">{cells}</row>'


def workbook(
    rows,
    *,
    dimension="A1:XFD1048576",
    empty_rows=0,
    after=(),
    shared_strings=0,
    string_length=12,
    variety=None,
):
    """An XLSX of `rows` (lists of values) in a sheet that declares `dimension`, followed by
    `empty_rows` rows that hold only empty cells and then the rows `after`, with
    `shared_strings` strings of `string_length` digits in its shared-strings part, none of them
    used: all different, or picked at random among `variety` values (fewer pack tighter)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for number, values in enumerate(rows, start=1):
                sheet.write(row_xml(number, values).encode())
            first = len(rows) + 1
            for number in range(first, first + empty_rows):
                sheet.write(
                    f'<row r="{number}"><c r="A{number}"/><c r="H{number}"/></row>'.encode()
                )
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(f'<sst xmlns="{MAIN}" count="{shared_strings}">'.encode())
            chunk, pick = [], random.Random(shared_strings).randrange
            for number in range(shared_strings):
                value = number if variety is None else pick(variety)
                chunk.append(f"<si><t>{value:0{string_length}d}</t></si>")
                if len(chunk) == 10_000:
                    strings.write("".join(chunk).encode())
                    chunk = []
            strings.write("".join(chunk).encode() + b"</sst>")
    return buffer.getvalue()

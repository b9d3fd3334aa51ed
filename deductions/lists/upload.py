"""Reading an uploaded deduction list: CSV or XLSX, checked before anything is kept.

The file is refused as a whole (an `UploadError` naming the problem) when it is too large, of
another type than it claims or than CSV/XLSX, a macro workbook, a broken or oversized zip
(`trekkportal.uploads.identify`, limits `DEDUCTION_LIST`), a workbook that takes too long or
too much memory to read (parsed in a child process, `read_xlsx_rows`), or lacks the needed
columns. Otherwise every row is parsed and each problem is named by row and
column; the list is only replaced when no row has a problem.

Columns are found by their header (case, spaces, punctuation and æøå do not matter); the
accepted names are in `COLUMNS` and shown on the upload page.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from stdnum.no import fodselsnummer

from deductions.lists.forms import AmountError, parse_amount
from deductions.models import Reason
from deductions.money import ZERO
from trekkportal import uploads
from trekkportal.uploads import FORMULA_STARTS

MAX_ROWS = 10_000
HEADER_SEARCH_ROWS = 5
NOT_A_LIST = "Filen er verken CSV eller XLSX. Bruk malen for måneden."
MACROS = "Regneark med makroer (.xlsm) tas ikke imot. Lagre som .xlsx eller CSV."
BROKEN = "Regnearket er ødelagt og kan ikke åpnes."
# Why a file was refused before it was read (`trekkportal.uploads.Refused`), in the list's words;
# the rest in the shared wording.
REFUSED = {
    uploads.Refused.MACROS: MACROS,
    uploads.Refused.NOT_ACCEPTED: NOT_A_LIST,
    uploads.Refused.NOT_WORKBOOK: NOT_A_LIST,
    uploads.Refused.BINARY: "Filen er verken CSV eller XLSX (den inneholder binære data).",
    uploads.Refused.ENCODING: "Filen har ukjent tegnkoding. Lagre den som CSV (UTF-8).",
    uploads.Refused.PARTS: "Regnearket har for mange deler til å være en trekkliste.",
    uploads.Refused.UNPACKED: (
        f"Regnearket er for stort når det pakkes ut (høyst "
        f"{uploads.DEDUCTION_LIST_XLSX.max_unpacked // uploads.MB} MB)."
    ),
}
UNREADABLE = {
    uploads.Unreadable.SLOW: (
        "Filen tok for lang tid å lese. Lagre regnearket som CSV, eller fjern tomme rader, "
        "ekstra ark og formatering, og prøv igjen."
    ),
    uploads.Unreadable.MEMORY: (
        "Filen er for stor å lese. Lagre regnearket som CSV, eller fjern ekstra ark og "
        "formatering, og prøv igjen."
    ),
    uploads.Unreadable.BROKEN: BROKEN,
}

# column key: (label on the page, accepted header names after normalising, required)
COLUMNS = {
    "national_id": (
        "Fødselsnummer",
        [
            "fodselsnummer",
            "fodselsnr",
            "fnr",
            "personnummer",
            "nationalid",
            "fodselsnummer11siffer",
        ],
        True,
    ),
    "name": ("Navn", ["navn", "name", "ansattnavn", "medlem", "medlemsnavn"], True),
    "dues": (
        "Kontingent",
        ["kontingent", "fagforeningstrekk", "fagforeningskontingent", "trekk", "dues"],
        True,
    ),
    "home": ("Innboforsikring", ["innboforsikring", "innbo", "homeinsurance"], False),
    "travel": ("Reiseforsikring", ["reiseforsikring", "reise", "travelinsurance"], False),
    "total": ("Sum", ["sum", "total", "totalt", "linjesum", "belop", "sumtrukket"], False),
    "reason": ("Årsak", ["arsak", "ikketrukket", "ikketrukketarsak", "grunn", "reason"], False),
    "comment": ("Kommentar", ["kommentar", "merknad", "comment"], False),
}
REASONS = {
    "": "",
    **{label.lower(): value for value, label in Reason.choices},
    **{value: value for value, _ in Reason.choices},
    "slutt": Reason.LEFT,
    "permisjon": Reason.UNPAID_LEAVE,
    "sykepenger": Reason.SICK_PAY,
    "nav": Reason.SICK_PAY,
}


class UploadError(Exception):
    """The file as a whole cannot be used; the message says why, in Norwegian."""


@dataclass
class UploadRow:
    number: int
    national_id: str = ""
    name: str = ""
    dues: object = None
    home: object = None
    travel: object = None
    reason: str = ""
    comment: str = ""
    problems: list = field(default_factory=list)  # (column label, message)

    @property
    def line_total(self):
        """As the list's line will count it (`total` is the file's own «Sum» column): nothing
        for a member not deducted."""
        if self.reason:
            return ZERO
        return sum((amount or ZERO for amount in (self.dues, self.home, self.travel)), ZERO)


@dataclass
class UploadResult:
    rows: list
    columns: list  # the column keys found

    @property
    def problems(self):
        return [
            (row.number, column, message) for row in self.rows for column, message in row.problems
        ]

    @property
    def is_valid(self):
        return bool(self.rows) and not self.problems

    @property
    def total(self):
        return sum((row.line_total for row in self.rows), ZERO)


# An upload that would become a supplementary list, but holds at least this share of the
# delivered main list's people, or a total this close to its total, is that list again.
REPEAT_SHARE = Decimal("0.5")
REPEAT_TOTAL = Decimal("0.1")


def repeated_main_list(basis, result):
    """The month's delivered main list when `result` looks like that whole list again, else None.

    Once the main list is delivered, an upload becomes a supplementary list. A full list
    uploaded again became one of 1,725 lines that doubled the month's total and showed "Ingen
    avvik" (issue 11): whoever uploads it is asked what was meant before anything is saved.
    """
    main = basis.lists.main().delivered().first()
    if main is None:
        return None
    main_ids = set(main.lines.values_list("national_id", flat=True))
    uploaded_ids = {row.national_id for row in result.rows}
    if main_ids and len(main_ids & uploaded_ids) >= REPEAT_SHARE * len(main_ids):
        return main
    if main.total and abs(result.total - main.total) <= REPEAT_TOTAL * main.total:
        return main
    return None


def normalise(header):
    text = str(header or "").strip().lower()
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text)


def read_upload(upload):
    """The rows of an uploaded file (Django's UploadedFile), or UploadError."""
    try:
        found = uploads.identify(upload, uploads.DEDUCTION_LIST)
    except uploads.Refused as refused:
        raise UploadError(REFUSED.get(refused.reason, refused.message)) from None
    if found.content_type == uploads.XLSX:
        table = _xlsx_rows(upload.read())
    else:
        table = _csv_rows(found.text)
    return parse_table(table)


def _csv_rows(text):
    if not text:
        raise UploadError("Filen er tom.")
    delimiter = uploads.csv_separator("\n".join(text[:65536].splitlines()[:HEADER_SEARCH_ROWS]))
    try:
        return uploads.table_rows(
            csv.reader(io.StringIO(text), delimiter=delimiter),
            max_rows=MAX_ROWS + HEADER_SEARCH_ROWS,
            header_rows=HEADER_SEARCH_ROWS,
        )
    except csv.Error:
        raise UploadError("Filen kan ikke leses som CSV.") from None


def _xlsx_rows(data):
    try:
        return uploads.read_xlsx_rows(
            data, max_rows=MAX_ROWS + HEADER_SEARCH_ROWS, header_rows=HEADER_SEARCH_ROWS
        )
    except uploads.Unreadable as error:
        raise UploadError(UNREADABLE[error.reason]) from None


def parse_table(table):
    """Rows (lists of cells) with a header row among the first few: checked `UploadRow`s."""
    header_index, columns = _find_header(table)
    body = table[header_index + 1 :]
    if len(body) > MAX_ROWS:
        raise UploadError(f"Filen har for mange rader (høyst {MAX_ROWS}).")
    rows, seen = [], {}
    for offset, cells in enumerate(body):
        number = header_index + 2 + offset  # as the spreadsheet numbers rows
        values = {key: _cell(cells, index) for key, index in columns.items()}
        if not any(str(value).strip() for value in values.values()):
            continue
        rows.append(_parse_row(number, values, seen))
    if not rows:
        raise UploadError("Filen har ingen rader under overskriftene.")
    return UploadResult(rows, list(columns))


def _find_header(table):
    for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        found = {}
        for position, cell in enumerate(cells):
            key = _column_for(cell)
            if key and key not in found:
                found[key] = position
        if "national_id" in found:
            missing = [
                COLUMNS[key][0]
                for key, (_, _, required) in COLUMNS.items()
                if required and key not in found
            ]
            if missing:
                raise UploadError("Disse kolonnene mangler: " + ", ".join(missing) + ".")
            return index, found
    raise UploadError(
        "Fant ingen overskriftsrad med «Fødselsnummer» blant de første radene. "
        "Bruk malen for måneden."
    )


def _column_for(header):
    normalised = normalise(header)
    for key, (_, names, _) in COLUMNS.items():
        if normalised in names:
            return key
    return None


def _cell(cells, index):
    return cells[index] if index < len(cells) else ""


def _parse_row(number, values, seen):
    row = UploadRow(number)
    label = {key: spec[0] for key, spec in COLUMNS.items()}
    for key in ("national_id", "name", "reason", "comment"):
        text = values.get(key, "")
        if isinstance(text, str) and text.startswith("="):
            row.problems.append(
                (label[key], "Cellen inneholder en formel; skriv verdien i stedet.")
            )
            values[key] = ""
        elif isinstance(text, str) and text.startswith(FORMULA_STARTS) and key == "name":
            row.problems.append(
                (label[key], "Navnet kan ikke begynne med =, +, -, @ eller tabulator.")
            )
    national_id = str(values.get("national_id", "")).strip().replace(" ", "")
    if isinstance(values.get("national_id"), int | float):
        national_id = f"{int(values['national_id']):011d}"
    row.national_id = national_id
    if not fodselsnummer.is_valid(national_id):
        row.problems.append(
            (label["national_id"], "Fødselsnummeret er ikke gyldig (elleve sifre).")
        )
    elif national_id in seen:
        row.problems.append(
            (label["national_id"], f"Personen står også på rad {seen[national_id]}.")
        )
    else:
        seen[national_id] = number
    row.name = str(values.get("name", "")).strip()[:200]
    if row.name.startswith("'") and row.name[1:2] in FORMULA_STARTS:
        row.name = row.name[1:]  # the apostrophe our own exports put before formula-like text
    if not row.name and not any(p[0] == label["name"] for p in row.problems):
        row.problems.append((label["name"], "Navnet mangler."))
    for key in ("dues", "home", "travel", "total"):
        value = values.get(key, "")
        if isinstance(value, str) and value.startswith("="):
            row.problems.append(
                (label[key], "Cellen inneholder en formel; skriv beløpet i stedet.")
            )
            continue
        try:
            setattr(row, key, parse_amount(value))
        except AmountError as error:
            row.problems.append((label[key], str(error)))
    reason_text = str(values.get("reason", "")).strip().lower()
    if reason_text not in REASONS:
        row.problems.append(
            (
                label["reason"],
                f"Ukjent årsak «{reason_text}». Bruk: "
                + ", ".join(lbl for _, lbl in Reason.choices)
                + ", eller tomt.",
            )
        )
    else:
        row.reason = REASONS[reason_text]
    row.comment = str(values.get("comment", "")).strip()[:500]
    if row.reason == Reason.OTHER and not row.comment:
        row.problems.append((label["comment"], "Skriv en kommentar når årsaken er «Annet»."))
    stated = getattr(row, "total", None)
    items = [row.dues, row.home, row.travel]
    if stated and None not in items and not row.reason and stated != sum(items):
        row.problems.append((label["total"], "Summen er ikke kontingent + innbo + reise."))
    return row

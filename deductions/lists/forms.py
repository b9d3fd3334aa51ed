"""The list's web form: one table of named inputs, parsed in one pass (fast for 2,000 lines).

Inputs of a line already on the list are named by its position in the list (`l-12-dues`), so
nothing in the form names a member or another list; positions the list does not have are
ignored. Rows for persons not on the basis are `n-0-...`, `n-1-...`.

The form shows a page of the list (deductions/lists/pages.py), so a POST holds the lines of one
page: a line whose `l-N-dues` is not in it is left exactly as saved.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.db.models import F
from stdnum.no import fodselsnummer

from deductions import money
from deductions.models import DeductionListLine, Reason
from deductions.money import ZERO

NEW_ROWS = 3
MAX_NEW_ROWS = 200
MAX_AMOUNT = Decimal("1000000")
AMOUNT_FIELDS = ("dues", "home", "travel")
REASON_CHOICES = [("", "Trukket")] + list(Reason.choices)
REASON_VALUES = {value for value, _ in Reason.choices}
ALREADY_ON_LIST = "Personen står allerede på listen."


class AmountError(ValueError):
    pass


def parse_amount(text):
    """`1 234,50`, `1234.50`, `kr 85` or empty (0) as a Decimal; else AmountError (Norwegian).

    A number from a spreadsheet cell (a float) is what Excel shows: see `_displayed`."""
    if isinstance(text, float):
        text = _displayed(text)
    if isinstance(text, int | Decimal) and not isinstance(text, bool):
        text = str(text)
    cleaned = (text or "").strip().lower().removeprefix("kr").removesuffix("kr").strip()
    cleaned = cleaned.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not cleaned:
        return ZERO
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise AmountError(f"«{text}» er ikke et beløp (skriv for eksempel 123,45).") from None
    if not amount.is_finite():
        raise AmountError(f"«{text}» er ikke et beløp.")
    if amount < 0:
        raise AmountError("Beløpet kan ikke være negativt.")
    if amount >= MAX_AMOUNT:
        raise AmountError("Beløpet er for stort.")
    if amount != amount.quantize(Decimal("0.01")):
        raise AmountError("Beløpet kan ha høyst to desimaler (øre).")
    return amount.quantize(Decimal("0.01"))


def _displayed(number):
    """Excel stores 152,40 as the float 152.39999999999998 and shows it rounded: that is the
    amount meant. Within a millionth of whole øre, it is rounded half up (to the nearest øre,
    as money is, never half to even); further off (152.345) it is left as it is, and refused
    as more than two decimals."""
    exact = Decimal(repr(number))
    if not exact.is_finite():
        return repr(number)
    in_ore = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return str(in_ore) if abs(exact - in_ore) <= Decimal("0.000001") else str(exact)


@dataclass
class Row:
    """One row of the table: its input names, the values shown, and any errors per field."""

    prefix: str
    line: DeductionListLine | None = None
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    remove: bool = False
    label: str = ""
    # The fingerprint of the line as the page showed it (`l-N-was`), if the page sent one.
    was: str = ""

    def __post_init__(self):
        if not self.label and self.line is not None:
            self.label = self.line.name

    @property
    def is_blank(self):
        return not any(self.values.get(name) for name in ("national_id", "name", *AMOUNT_FIELDS))


class ListForm:
    """Reads and checks the lines posted; `save()` is `list_save` in the services.

    Unbound, it shows `shown` (a page's lines). Bound, `lines` are all the list's lines (the
    save recounts the whole list from them) and the rows are those the POST holds inputs for.
    """

    def __init__(self, deduction_list, data=None, lines=None, shown=None):
        self.deduction_list = deduction_list
        self.data = data
        self.is_bound = data is not None
        if self.is_bound:
            self.lines = list(deduction_list.lines.all() if lines is None else lines)
            shown = [line for line in self.lines if f"l-{line.position}-dues" in data]
        else:
            if shown is None:
                shown = deduction_list.lines.annotate(
                    employee_number=F("basis_line__employee_number")
                )
            self.lines = list(shown)
            shown = self.lines
        self.rows = [self._row_for(line) for line in shown]
        new_count = NEW_ROWS
        if self.is_bound:
            new_count = min(_int(data.get("new-count"), NEW_ROWS), MAX_NEW_ROWS)
        self.new_rows = [self._new_row(index) for index in range(new_count)]
        if self.is_bound:
            for row in self.rows:
                row.was = self.data.get(f"{row.prefix}-was", "")[:64]
        self.errors = []
        self.conflicts = []  # services.Conflict: lines left as a colleague saved them
        self._checked = False

    def _row_for(self, line):
        prefix = f"l-{line.position}"
        if self.is_bound:
            values = {name: self.data.get(f"{prefix}-{name}", "") for name in _names(line)}
            return Row(prefix, line, values, remove=bool(self.data.get(f"{prefix}-remove")))
        return Row(prefix, line, shown_values(line))

    def _new_row(self, index):
        prefix = f"n-{index}"
        names = ("national_id", "name", *AMOUNT_FIELDS, "reason", "comment")
        values = dict.fromkeys(names, "")
        if self.is_bound:
            values = {name: self.data.get(f"{prefix}-{name}", "").strip() for name in names}
        return Row(prefix, None, values, label=f"ny person {index + 1}")

    def is_valid(self):
        if not self._checked:
            self._check()
            self._checked = True
        return self.is_bound and not self.errors

    def _check(self):
        if not self.is_bound:
            return
        seen = {line.national_id for line in self.lines}
        for row in self.rows:
            if not row.remove:
                self._check_amounts(row)
        for row in self.new_rows:
            if row.is_blank:
                continue
            national_id = row.values["national_id"].replace(" ", "")
            row.values["national_id"] = national_id
            if not fodselsnummer.is_valid(national_id):
                row.errors["national_id"] = "Fødselsnummeret er ikke gyldig (elleve sifre)."
            elif national_id in seen:
                row.errors["national_id"] = ALREADY_ON_LIST
            seen.add(national_id)
            if not row.values["name"]:
                row.errors["name"] = "Skriv navnet."
            elif len(row.values["name"]) > 200:
                row.errors["name"] = "Navnet kan være høyst 200 tegn."
            self._check_amounts(row)
        for row in [*self.rows, *self.new_rows]:
            _check_nul(row)
            if row.errors:
                self.errors.append(row)

    def _check_amounts(self, row):
        row.amounts = {}
        for name in AMOUNT_FIELDS:
            try:
                row.amounts[name] = parse_amount(row.values.get(name, ""))
            except AmountError as error:
                row.errors[name] = str(error)
        reason = row.values.get("reason", "")
        if reason and reason not in REASON_VALUES:
            row.errors["reason"] = "Velg en årsak fra listen."
        comment = row.values.get("comment", "").strip()
        row.values["comment"] = comment
        if reason == Reason.OTHER and not comment:
            row.errors["comment"] = "Skriv en kommentar når årsaken er «Annet»."
        if len(comment) > 500:
            row.errors["comment"] = "Kommentaren kan være høyst 500 tegn."

    def changes(self):
        """(changed lines, new lines, removed lines) of a valid form, not yet saved."""
        changed, added, removed = [], [], []
        for row in self.rows:
            line = row.line
            if row.remove and line.is_added:
                removed.append(line)
                continue
            before = (
                line.dues,
                line.home_insurance,
                line.travel_insurance,
                line.reason,
                line.comment,
            )
            line.reason = row.values.get("reason", "")
            line.comment = row.values.get("comment", "") if line.reason else ""
            line.set_amounts(row.amounts["dues"], row.amounts["home"], row.amounts["travel"])
            after = (
                line.dues,
                line.home_insurance,
                line.travel_insurance,
                line.reason,
                line.comment,
            )
            if before != after:
                changed.append(line)
        for row in self.new_rows:
            if not row.is_blank:
                added.append(new_line(row))
        return changed, added, removed


def new_line(row):
    """The line a checked row for a new person adds (not yet saved); `prefix` names its row."""
    line = DeductionListLine(
        national_id=row.values["national_id"],
        name=row.values["name"],
        reason=row.values["reason"],
        comment=row.values["comment"] if row.values["reason"] else "",
    )
    line.set_amounts(row.amounts["dues"], row.amounts["home"], row.amounts["travel"])
    line.prefix = row.prefix
    return line


def shown_values(line):
    """A saved line's inputs as the form shows them (without the `l-N-` of their names)."""
    return {
        "dues": money.cell(line.dues) if line.dues or line.reason else "",
        "home": money.cell(line.home_insurance),
        "travel": money.cell(line.travel_insurance),
        "reason": line.reason,
        "comment": line.comment,
        "national_id": line.national_id,
        "name": line.name,
    }


def posted_as_shown(line, **values):
    """The POST of one saved line as its row sends it, with `values` (`dues="12,50"`) typed."""
    shown = {**shown_values(line), **values}
    return {f"l-{line.position}-{name}": shown[name] for name in _names(line)}


def _check_nul(row):
    """These inputs bypass Django's fields, and with them its check that text holds no NUL
    (which PostgreSQL cannot store: a 500 instead of a message)."""
    for name, value in row.values.items():
        if "\x00" in value:
            row.errors[name] = "Feltet inneholder et tegn som ikke kan lagres."


def _names(line):
    names = [*AMOUNT_FIELDS, "reason", "comment"]
    return names + (["national_id", "name"] if line.is_added else [])


def _int(text, default):
    try:
        return max(0, int(text))
    except (TypeError, ValueError):
        return default


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Fil (CSV eller XLSX)",
        error_messages={"required": "Velg en fil.", "empty": "Filen er tom."},
    )

"""Reconciliation of a deduction list against its month's basis.

Deviations are warnings, never blocks: the contact sees them before delivering, staff see them
after. The cases: a member on the basis missing from the list without a reason; a person on the
list who is not on the basis; insurance amounts other than expected; an apprentice charged other
than the flat amount; dues of zero without a reason.

A supplementary list starts empty and carries only what comes in addition to the delivered list,
so it is checked only against what it contains: a person not on the basis, a line with no amount
and no reason, an amount larger than the month's whole fixed amount for that person. Nobody is
missing from a supplement, and 85 kr of insurance left out of it is no deviation.
"""

from dataclasses import dataclass

from deductions.models import Category
from deductions.money import kr

MISSING = "missing"
NOT_ON_BASIS = "not_on_basis"
INSURANCE = "insurance"
APPRENTICE = "apprentice"
ZERO_DUES = "zero_dues"
EMPTY_LINE = "empty_line"

KINDS = {
    MISSING: "Mangler i listen",
    NOT_ON_BASIS: "Ikke på trekkgrunnlaget",
    INSURANCE: "Forsikring avviker",
    APPRENTICE: "Lærling med annet beløp",
    ZERO_DUES: "Kontingent 0 uten årsak",
    EMPTY_LINE: "Linje uten beløp",
}

BASIS_FIELDS = (
    "national_id",
    "name",
    "category",
    "home_insurance_amount",
    "travel_insurance_amount",
    "apprentice_amount",
)


@dataclass(frozen=True)
class Deviation:
    kind: str
    name: str
    national_id: str
    message: str

    @property
    def kind_label(self):
        return KINDS[self.kind]


def reconcile(deduction_list, lines=None):
    """The deviations of `deduction_list` (or of `lines`, not yet saved) against its basis.

    Two queries at most: the basis lines and, unless given, the list's lines.
    """
    basis = deduction_list.basis
    if lines is None:
        lines = list(deduction_list.lines.all())
    expected = {row["national_id"]: row for row in basis.deducted_lines().values(*BASIS_FIELDS)}
    if deduction_list.is_supplementary:
        return _reconcile_supplement(lines, expected)
    deviations = []
    seen = set()
    for line in lines:
        seen.add(line.national_id)
        row = expected.get(line.national_id)
        if row is None:
            deviations.append(_not_on_basis(line))
        if line.reason:
            continue
        if row is not None and row["category"] == Category.APPRENTICE:
            if line.total != row["apprentice_amount"]:
                deviations.append(
                    Deviation(
                        APPRENTICE,
                        line.name,
                        line.national_id,
                        f"Lærling trukket kr {kr(line.total)}, "
                        f"fast beløp er kr {kr(row['apprentice_amount'])}.",
                    )
                )
            continue
        if row is not None:
            for label, amount, wanted in (
                ("Innboforsikring", line.home_insurance, row["home_insurance_amount"]),
                ("Reiseforsikring", line.travel_insurance, row["travel_insurance_amount"]),
            ):
                if amount != wanted:
                    deviations.append(
                        Deviation(
                            INSURANCE,
                            line.name,
                            line.national_id,
                            f"{label} kr {kr(amount)}, forventet kr {kr(wanted)}.",
                        )
                    )
        if not line.dues:
            deviations.append(
                Deviation(
                    ZERO_DUES,
                    line.name,
                    line.national_id,
                    "Kontingent er 0, men ingen årsak er valgt under «Ikke trukket».",
                )
            )
    if not deduction_list.is_supplementary:
        for national_id, row in expected.items():
            if national_id not in seen:
                deviations.append(
                    Deviation(
                        MISSING,
                        row["name"],
                        national_id,
                        "Står på trekkgrunnlaget, men mangler i listen uten årsak.",
                    )
                )
    return deviations


def _not_on_basis(line):
    return Deviation(
        NOT_ON_BASIS,
        line.name,
        line.national_id,
        "Personen står ikke på trekkgrunnlaget for måneden.",
    )


def _reconcile_supplement(lines, expected):
    deviations = []
    for line in lines:
        row = expected.get(line.national_id)
        if row is None:
            deviations.append(_not_on_basis(line))
        if line.reason:
            continue
        if not line.total:
            deviations.append(
                Deviation(
                    EMPTY_LINE,
                    line.name,
                    line.national_id,
                    "Linjen har ingen beløp, og ingen årsak er valgt under «Ikke trukket».",
                )
            )
            continue
        if row is None:
            continue
        if row["category"] == Category.APPRENTICE:
            if line.total > row["apprentice_amount"]:
                deviations.append(
                    Deviation(
                        APPRENTICE,
                        line.name,
                        line.national_id,
                        f"Lærling trukket kr {kr(line.total)} i tillegg, mer enn det faste "
                        f"beløpet for måneden (kr {kr(row['apprentice_amount'])}).",
                    )
                )
            continue
        for label, amount, whole_month in (
            ("Innboforsikring", line.home_insurance, row["home_insurance_amount"]),
            ("Reiseforsikring", line.travel_insurance, row["travel_insurance_amount"]),
        ):
            if amount > whole_month:
                deviations.append(
                    Deviation(
                        INSURANCE,
                        line.name,
                        line.national_id,
                        f"{label} kr {kr(amount)} i tillegg, mer enn månedens "
                        f"beløp (kr {kr(whole_month)}).",
                    )
                )
    return deviations

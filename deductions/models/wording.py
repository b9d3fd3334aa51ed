"""How a basis line reads to a payroll clerk: what changed and what is deducted.

Shared by the model (`BasisLine.change_descriptions()`, `.items()`) and the bulk listing of a
month's changes, which reads plain rows (`BasisLine.objects.month_changes`): each function takes
`get`, a lookup of a field by name (`partial(getattr, line)` or `row.__getitem__`).
"""

from functools import lru_cache

from django.utils.formats import number_format
from django.utils.translation import get_language

from deductions.models.members import Category
from deductions.money import kr

CHANGE_WORDS = [
    ("started", "Start trekk"),
    ("stopped", "Stopp trekk"),
    ("home_started", "Start innboforsikring"),
    ("home_stopped", "Stopp innboforsikring"),
    ("travel_started", "Start reiseforsikring"),
    ("travel_stopped", "Stopp reiseforsikring"),
    ("became_ordinary", "Overgang fra lærling til ordinært medlem"),
    ("became_apprentice", "Overgang fra ordinært medlem til lærling"),
]
CHANGE_FLAGS = [flag for flag, _ in CHANGE_WORDS]
ITEM_FIELDS = [
    "deducted",
    "category",
    "home_insurance",
    "travel_insurance",
    "home_insurance_amount",
    "travel_insurance_amount",
    "apprentice_amount",
]


def change_descriptions(get):
    return [words for flag, words in CHANGE_WORDS if get(flag)]


def items(get, dues_text):
    """`["Kontingent 1,1 % av ...", "Innboforsikring kr 85,00"]`; nothing for a stopped line."""
    if not get("deducted"):
        return []
    if get("category") == Category.APPRENTICE:
        return [f"Lærling, fast beløp kr {kr(get('apprentice_amount'))}"]
    listed = [f"Kontingent {dues_text}"]
    if get("home_insurance"):
        listed.append(f"Innboforsikring kr {kr(get('home_insurance_amount'))}")
    if get("travel_insurance"):
        listed.append(f"Reiseforsikring kr {kr(get('travel_insurance_amount'))}")
    return listed


def percent(value):
    """`1,1 %`."""
    return f"{_formatted(value.normalize(), get_language(), None)} %"


def dues_text(dues_percent):
    """How the dues line reads: `1,1 % av pensjonsgivende inntekt`."""
    return f"{percent(dues_percent)} av pensjonsgivende inntekt"


@lru_cache(maxsize=512)
def _formatted(value, language, decimal_pos):
    return number_format(value, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True)

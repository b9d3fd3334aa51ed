"""The list form a page at a time, searched and filtered on the server over the whole list.

A list of 5,000 lines cannot be one page of 25,000 inputs and stay quick (bench/list_form.py,
docs/performance.md), so the form shows `LIST_FORM_PAGE_SIZE` of the lines a search and a filter
leave, the same with and without script. The query (`q`, `vis`, `side`) is read leniently: a
link edited by hand shows the nearest page that exists or all lines, never an error.

«Avvik» is what the confirm page will name as a deviation of a line (reconciliation.py): a
person not on the basis, insurance other than expected, an apprentice charged other than the
flat amount (on a supplement: more than the month's amounts). Dues left at 0 without a reason,
which reconcile also names, are «ikke utfylt» instead: in a list being filled that is every line
not yet typed, and a filter that shows them all finds nothing.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, F, Q, Sum

from deductions.models import Category
from deductions.money import ZERO

FILTERS = {
    "": "Alle",
    "ikke-utfylt": "Bare ikke utfylte",
    "ikke-trukket": "Bare ikke trukket",
    "avvik": "Bare avvik (forsikring, lærlingbeløp, ikke på grunnlaget)",
}
MAX_QUERY = 100


@dataclass(frozen=True)
class FormQuery:
    """What the form is asked to show: a search, a filter and a page (1 and up)."""

    q: str = ""
    vis: str = ""
    side: int = 1

    @classmethod
    def from_params(cls, params):
        q = " ".join(params.get("q", "").replace("\x00", "").split())[:MAX_QUERY]
        vis = params.get("vis", "")
        try:
            side = max(1, int(params.get("side", "1")))
        except ValueError:
            side = 1
        return cls(q=q, vis=vis if vis in FILTERS else "", side=min(side, 10**6))

    @property
    def is_filtered(self):
        return bool(self.q or self.vis)

    def query_string(self, side=None):
        """`?q=...&vis=...&side=...` without what is the default; "" for the first page of all."""
        side = self.side if side is None else side
        params = {"q": self.q, "vis": self.vis, "side": side if side > 1 else ""}
        encoded = urlencode({name: value for name, value in params.items() if value})
        return f"?{encoded}" if encoded else ""


def lines_in_view(deduction_list, query):
    """The list's lines the search and the filter leave, in the list's order."""
    lines = deduction_list.lines.all()
    if query.q:
        compact = query.q.replace(" ", "")
        lines = lines.filter(
            Q(name__icontains=query.q)
            | Q(national_id__contains=compact)
            | Q(basis_line__employee_number__iexact=query.q)
            | Q(basis_line__employee_number__icontains=compact)
        )
    if query.vis == "ikke-utfylt":
        lines = lines.filter(reason="", dues=ZERO)
    elif query.vis == "ikke-trukket":
        lines = lines.exclude(reason="")
    elif query.vis == "avvik":
        lines = lines.filter(_deviates(deduction_list))
    return lines.order_by("position")


def _deviates(deduction_list):
    """reconcile()'s deviations of a line, as SQL (the module's docstring says which)."""
    apprentice = Q(basis_line__category=Category.APPRENTICE)
    if deduction_list.is_supplementary:
        amounts = (apprentice & Q(total__gt=F("basis_line__apprentice_amount"))) | (
            ~apprentice
            & (
                Q(home_insurance__gt=F("basis_line__home_insurance_amount"))
                | Q(travel_insurance__gt=F("basis_line__travel_insurance_amount"))
            )
        )
        amounts &= ~Q(total=ZERO)
    else:
        amounts = (apprentice & ~Q(total=F("basis_line__apprentice_amount"))) | (
            ~apprentice
            & (
                ~Q(home_insurance=F("basis_line__home_insurance_amount"))
                | ~Q(travel_insurance=F("basis_line__travel_insurance_amount"))
            )
        )
    return Q(basis_line__isnull=True) | (Q(reason="") & Q(basis_line__isnull=False) & amounts)


@dataclass
class FormPage:
    """One page of the form: its lines, where it is, and the whole list's saved count and sum."""

    query: FormQuery
    lines: list
    number: int
    pages: int
    size: int
    count: int  # lines in view (searched and filtered)
    list_count: int
    list_total: object

    @property
    def first(self):
        return (self.number - 1) * self.size + 1 if self.count else 0

    @property
    def last(self):
        return min(self.number * self.size, self.count)

    @property
    def previous_query(self):
        return self.query.query_string(self.number - 1) if self.number > 1 else None

    @property
    def next_query(self):
        return self.query.query_string(self.number + 1) if self.number < self.pages else None

    @property
    def position(self):
        """«Side 3 av 9 (linje 401–600 av 1 712)»; with a search or a filter, of the hits."""
        if not self.count:
            return "Ingen linjer passer søket." if self.query.is_filtered else "Listen er tom."
        of = f"{_grouped(self.count)} treff" if self.query.is_filtered else _grouped(self.count)
        lines = f"linje {_grouped(self.first)}"
        if self.last > self.first:
            lines += f"–{_grouped(self.last)}"
        return f"Side {self.number} av {self.pages} ({lines} av {of})"

    @property
    def shown(self):
        if self.query.is_filtered:
            return (
                f"Viser {_grouped(self.count)} av {_grouped(self.list_count)} personer. "
                "Summen gjelder hele listen."
            )
        person = "person" if self.list_count == 1 else "personer"
        return f"{_grouped(self.list_count)} {person} på listen."

    def links(self):
        """(number, query string) of the pages to link: the first, the last, and two either
        side of this one; None where numbers are left out."""
        wanted = {1, self.pages, *range(self.number - 2, self.number + 3)}
        links, previous = [], 0
        for number in sorted(n for n in wanted if 1 <= n <= self.pages):
            if number > previous + 1:
                links.append(None)
            links.append((number, self.query.query_string(number)))
            previous = number
        return links


def _grouped(number):
    return f"{number:,}".replace(",", "\u00a0")


def form_page(deduction_list, query, size=None):
    """The page `query` asks for (the last one if it asks for more): three queries at most."""
    size = size or settings.LIST_FORM_PAGE_SIZE
    whole = deduction_list.lines.aggregate(count=Count("pk"), total=Sum("total"))
    lines = lines_in_view(deduction_list, query)
    count = lines.count() if query.is_filtered else whole["count"]
    pages = max(1, -(-count // size))
    number = min(query.side, pages)
    start = (number - 1) * size
    shown = lines.annotate(employee_number=F("basis_line__employee_number"))[start : start + size]
    return FormPage(
        query=FormQuery(q=query.q, vis=query.vis, side=number),
        lines=list(shown),
        number=number,
        pages=pages,
        size=size,
        count=count,
        list_count=whole["count"],
        list_total=(whole["total"] or ZERO).quantize(ZERO),  # SQLite's sum has no øre
    )

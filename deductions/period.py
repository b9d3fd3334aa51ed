"""A period ("termin"): one calendar month, the unit everything in deductions is counted in."""

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

MONTH_NAMES = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
_PARSE = re.compile(r"^\s*(\d{4})[-/](\d{1,2})\s*$")


@dataclass(frozen=True, order=True, slots=True)
class Period:
    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1-12, not {self.month}")
        if not 1900 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year}")

    @classmethod
    def parse(cls, text):
        """Reads `2021-03` or `2021/03`."""
        match = _PARSE.match(text or "")
        if not match:
            raise ValueError(f"not a period (YYYY-MM): {text!r}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def from_date(cls, day):
        return cls(day.year, day.month)

    @classmethod
    def current(cls):
        return cls.from_date(timezone.localdate())

    @classmethod
    def from_index(cls, index):
        """The inverse of `index`."""
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self):
        """Months since year 0: `year * 12 + month - 1`. How PeriodField stores a period, so
        "the month before" is `index - 1` in SQL too."""
        return self.year * 12 + self.month - 1

    def first_day(self):
        return date(self.year, self.month, 1)

    def __add__(self, months):
        return Period.from_index(self.index + months)

    def __sub__(self, other):
        if isinstance(other, Period):
            return (self.year * 12 + self.month) - (other.year * 12 + other.month)
        return self + (-other)

    def next(self):
        return self + 1

    def previous(self):
        return self + -1

    @property
    def slug(self):
        """For URLs and commands: `2021-03`."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def table_label(self):
        """As shown in tables: `2021/03`."""
        return f"{self.year:04d}/{self.month:02d}"

    @property
    def mail_label(self):
        """As written in mail: `03/2021`."""
        return f"{self.month:02d}/{self.year:04d}"

    @property
    def long_label(self):
        """As said in a sentence: `oktober 2026`."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    def __str__(self):
        return self.table_label

"""Tertials: the three four-month parts of a year that follow-up is reported by.

T1 is January–April, T2 May–August, T3 September–December.
"""

import calendar
import datetime
from dataclasses import dataclass

FIRST_MONTH = {1: 1, 2: 5, 3: 9}


@dataclass(frozen=True, order=True)
class Tertial:
    year: int
    number: int

    def __post_init__(self):
        if self.number not in FIRST_MONTH:
            raise ValueError(f"A tertial is 1, 2 or 3, not {self.number!r}.")
        if not datetime.MINYEAR <= self.year <= datetime.MAXYEAR:
            raise ValueError(f"{self.year!r} is not a year.")

    @classmethod
    def of(cls, day):
        """The tertial a date falls in."""
        return cls(day.year, (day.month - 1) // 4 + 1)

    @classmethod
    def current(cls):
        from django.utils import timezone

        return cls.of(timezone.localdate())

    @property
    def start(self):
        return datetime.date(self.year, FIRST_MONTH[self.number], 1)

    @property
    def end(self):
        last_month = FIRST_MONTH[self.number] + 3
        return datetime.date(
            self.year, last_month, calendar.monthrange(self.year, last_month)[1]
        )

    def previous(self):
        if self.number == 1:
            return Tertial(self.year - 1, 3)
        return Tertial(self.year, self.number - 1)

    def next(self):
        if self.number == 3:
            return Tertial(self.year + 1, 1)
        return Tertial(self.year, self.number + 1)

    def overlaps(self, first_day, last_day):
        return self.start <= last_day and first_day <= self.end

    def __str__(self):
        return f"T{self.number} {self.year}"


def tertials_between(first_day, last_day):
    """Every tertial that overlaps the days from first_day to last_day, in order."""
    tertial = Tertial.of(first_day)
    last = Tertial.of(last_day)
    while tertial <= last:
        yield tertial
        tertial = tertial.next()

"""Tertials: the three four-month parts of a year that follow-up is reported by.

T1 is January–April, T2 May–August, T3 September–December.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class TertialNumber(models.IntegerChoices):
    """A tertial is 1, 2 or 3."""

    FIRST = 1, _("Tertial 1 (January–April)")
    SECOND = 2, _("Tertial 2 (May–August)")
    THIRD = 3, _("Tertial 3 (September–December)")


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

    def is_over(self, today):
        return self.end < today

    def __str__(self):
        return f"T{self.number} {self.year}"


def tertials_between(first_day, last_day):
    """Every tertial that overlaps the days from first_day to last_day, in order."""
    tertial = Tertial.of(first_day)
    last = Tertial.of(last_day)
    while tertial <= last:
        yield tertial
        tertial = tertial.next()

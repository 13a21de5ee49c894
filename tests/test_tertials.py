"""Tertials: the dates they cover, and which of them a period has."""

import datetime
from types import SimpleNamespace

import pytest

from followup.forms import default_tertial
from followup.models import tertial_outside_period_error
from followup.progress import period_tertials
from followup.tertials import Tertial, tertials_between


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2024, 1, 1), Tertial(2024, 1)),
        (datetime.date(2024, 4, 30), Tertial(2024, 1)),
        (datetime.date(2024, 5, 1), Tertial(2024, 2)),
        (datetime.date(2024, 8, 31), Tertial(2024, 2)),
        (datetime.date(2024, 9, 1), Tertial(2024, 3)),
        (datetime.date(2024, 12, 31), Tertial(2024, 3)),
    ],
)
def test_date_maps_to_its_tertial(day, expected):
    assert Tertial.of(day) == expected


@pytest.mark.parametrize(
    ("tertial", "start", "end"),
    [
        (Tertial(2024, 1), datetime.date(2024, 1, 1), datetime.date(2024, 4, 30)),
        (Tertial(2024, 2), datetime.date(2024, 5, 1), datetime.date(2024, 8, 31)),
        (Tertial(2024, 3), datetime.date(2024, 9, 1), datetime.date(2024, 12, 31)),
    ],
)
def test_tertial_maps_back_to_its_days(tertial, start, end):
    assert (tertial.start, tertial.end) == (start, end)
    assert Tertial.of(tertial.start) == tertial == Tertial.of(tertial.end)


def test_previous_and_next_cross_the_year():
    assert Tertial(2024, 1).previous() == Tertial(2023, 3)
    assert Tertial(2023, 3).next() == Tertial(2024, 1)


def test_tertials_between_lists_every_overlapping_tertial():
    assert list(tertials_between(datetime.date(2022, 3, 15), datetime.date(2023, 5, 1))) == [
        Tertial(2022, 1), Tertial(2022, 2), Tertial(2022, 3), Tertial(2023, 1), Tertial(2023, 2),
    ]


@pytest.mark.parametrize("number", [0, 4, -1])
def test_a_tertial_is_one_two_or_three(number):
    with pytest.raises(ValueError):
        Tertial(2024, number)


def period(valid_from, valid_to):
    return SimpleNamespace(valid_from=datetime.date.fromisoformat(valid_from),
                           valid_to=datetime.date.fromisoformat(valid_to))


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "expected"),
    [
        ("2024-09-01", "2024-12-31", [Tertial(2024, 3)]),
        ("2024-10-15", "2024-10-15", [Tertial(2024, 3)]),
        ("2024-04-30", "2024-05-01", [Tertial(2024, 1), Tertial(2024, 2)]),
        ("2024-09-01", "2025-04-30", [Tertial(2024, 3), Tertial(2025, 1)]),
        ("2024-01-01", "2025-12-31", [Tertial(y, n) for y in (2024, 2025) for n in (1, 2, 3)]),
    ],
)
def test_a_period_has_the_tertials_it_overlaps(valid_from, valid_to, expected):
    assert period_tertials(period(valid_from, valid_to)) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2024-06-01", Tertial(2024, 3)),  # before the period: its first tertial
        ("2024-10-01", Tertial(2024, 3)),
        ("2025-02-14", Tertial(2025, 1)),
        ("2026-01-01", Tertial(2025, 1)),  # after it: its last
    ],
)
def test_the_screen_opens_on_the_current_tertial_within_the_period(today, expected):
    assert default_tertial(period("2024-09-01", "2025-04-30"),
                           datetime.date.fromisoformat(today)) == expected


def test_a_tertial_is_over_the_day_after_it_ends():
    assert not Tertial(2024, 1).is_over(datetime.date(2024, 4, 30))
    assert Tertial(2024, 1).is_over(datetime.date(2024, 5, 1))


@pytest.mark.parametrize(
    ("tertial", "lies_outside"),
    [(Tertial(2024, 2), True), (Tertial(2024, 3), False), (Tertial(2025, 1), False),
     (Tertial(2025, 2), True)],
)
def test_a_tertial_outside_its_period_is_a_validation_error(tertial, lies_outside):
    error = tertial_outside_period_error(period("2024-09-01", "2025-04-30"), tertial.year,
                                         tertial.number)
    assert (error is not None) == lies_outside
    if error is not None:
        assert error.code == "tertial_outside_period"

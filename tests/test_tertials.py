import datetime

import pytest

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

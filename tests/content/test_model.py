"""The model's calendar rule: a date is a real day, never rolled over."""

from __future__ import annotations

import pytest

from bantin.content.model import date_problem


@pytest.mark.parametrize(
    ("year", "month", "day", "problem"),
    [
        (2024, 6, 31, "June has 30 days"),
        (2023, 2, 29, "February 2023 has 28 days"),
        (2024, 2, 30, "February 2024 has 29 days"),
        (1900, 2, 29, "February 1900 has 28 days"),
        (2024, 13, 1, "there is no month 13"),
        (2024, 0, 1, "there is no month 0"),
        (2024, 1, 0, "there is no day 0"),
        (None, 2, 30, "February has 29 days"),
        (None, 4, 31, "April has 30 days"),
        (0, 1, 1, "there is no year 0"),
        (2024, 2, 29, None),
        (2000, 2, 29, None),
        (None, 2, 29, None),
        (2024, 12, 31, None),
    ],
)
def test_date_problem(year: int | None, month: int, day: int, problem: str | None) -> None:
    assert date_problem(year, month, day) == problem

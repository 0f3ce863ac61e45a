"""The draft form's broadcast window: the bulletin's own republish days and times of day, edited without YAML."""

from __future__ import annotations

import datetime as dt

import pytest

from bantin.content.ingest import parse_bulletin
from bantin.desk.web.forms import bulletin_from_form, form_values
from bantin.errors import BulletinValidationError

RAW = "Hội nghị giao ban quý II\n\nSáng 28/6/2024, hội nghị đã diễn ra tại tỉnh và đề ra nhiệm vụ quý III.\n"


def _form(bulletin, **changes: str) -> dict[str, str]:
    values = form_values(bulletin)
    values["body[0].paragraph"] = bulletin.body[0].text
    return values | changes


def test_times_of_day_and_last_day_round_trip() -> None:
    bulletin = parse_bulletin(RAW, "<dán>")
    assert form_values(bulletin)["republish.until"] == "" and form_values(bulletin)["republish.slots"] == ""
    edited = bulletin_from_form(bulletin, _form(bulletin, **{"republish.until": "2024-07-05", "republish.slots": "16:30, 5:30"}), "draft.yaml")
    assert edited.republish is not None and edited.republish.until == dt.date(2024, 7, 5)
    assert sorted(edited.republish.slots) == [dt.time(5, 30), dt.time(16, 30)]
    assert form_values(edited)["republish.until"] == "2024-07-05"
    cleared = bulletin_from_form(edited, _form(edited, **{"republish.until": "", "republish.slots": ""}), "draft.yaml")
    assert cleared.republish is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"republish.slots": "25:00", "republish.until": "2024-07-05"}, "republish.slots"), ({"republish.slots": "05:30"}, "republish.until")],
)
def test_a_wrong_window_names_its_own_field(changes: dict[str, str], field: str) -> None:
    bulletin = parse_bulletin(RAW, "<dán>")
    with pytest.raises(BulletinValidationError) as caught:
        bulletin_from_form(bulletin, _form(bulletin, **changes), "draft.yaml")
    assert caught.value.field == field

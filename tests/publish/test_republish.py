"""Which bulletins the scheduled republish picks, and why; the deployments file."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bantin.content.model import Republish
from bantin.errors import InputError
from bantin.publish.deployments import load_config
from bantin.publish.keys import diff_inputs, publish_inputs
from bantin.publish.republish import mark_republished, plan, window_due
from testing_utils import ROOT, SAMPLE_YAML

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, 7, day, hour, minute, tzinfo=HCM)


def test_window_slots() -> None:
    window = Republish(dt.date(2024, 7, 15), (dt.time(5, 30), dt.time(16, 30)))
    assert window_due(window, None, at(10, 5, 30)) == "republication slot 05:30 (window until 2024-07-15)"
    assert window_due(window, at(10, 5, 30), at(10, 5, 31)) is None  # that slot is done
    assert window_due(window, at(10, 5, 30), at(10, 16, 30)).startswith("republication slot 16:30")
    assert window_due(window, at(10, 16, 30), at(11, 4, 0)) is None  # no slot since
    assert window_due(window, None, at(16, 5, 30)) is None  # window closed
    assert window_due(Republish(dt.date(2024, 7, 15)), at(10, 5), at(10, 16)) == "republication window open until 2024-07-15"
    assert window_due(None, None, at(10, 5)) is None


def test_plan_finds_new_changed_and_windowed_bulletins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content, outputs = tmp_path / "content", tmp_path / "outputs"
    content.mkdir()
    monkeypatch.setenv("BANTIN_OUTPUTS", str(outputs))
    source = content / SAMPLE_YAML.name
    shutil.copy(SAMPLE_YAML, source)
    config = load_config(ROOT / "deployments.yaml")
    (content / "broken.yaml").write_text("id: x\n", encoding="utf-8")

    due = {d.path.name: d for d in plan(config, at(10, 5, 30), content)}
    assert due["broken.yaml"].error and "title" in due["broken.yaml"].error
    # a YAML with no record was never approved: a schedule never publishes it
    assert due[source.name].reasons == () and due[source.name].note.startswith("chưa được duyệt")

    from bantin.content.bulletin_file import load_bulletin

    bulletin = load_bulletin(source)
    out_dir = outputs / bulletin.id
    out_dir.mkdir(parents=True)
    inputs = publish_inputs(source, bulletin, config.locales, config.profiles, config.engine)
    (out_dir / "manifest.json").write_text(_record(bulletin, inputs), encoding="utf-8")
    assert plan(config, at(10, 5, 30), content)[0].reasons == ()

    source.write_text(source.read_text(encoding="utf-8").replace("Đắk Song", "Đắk Mil", 1), encoding="utf-8")
    assert plan(config, at(10, 5, 30), content)[0].reasons == ("the bulletin's YAML changed",)

    text = SAMPLE_YAML.read_text(encoding="utf-8").replace("\nbody:", "\nrepublish:\n  until: 2024-07-15\n  slots: ['05:30']\nbody:", 1)
    source.write_text(text, encoding="utf-8")
    inputs = publish_inputs(source, load_bulletin(source), config.locales, config.profiles, config.engine)
    (out_dir / "manifest.json").write_text(_record(bulletin, inputs), encoding="utf-8")
    assert plan(config, at(10, 6, 0), content)[0].reasons == ("republication slot 05:30 (window until 2024-07-15)",)
    mark_republished(out_dir, at(10, 5, 30))
    assert plan(config, at(10, 6, 0), content)[0].reasons == ()

    # changed, but a draft or a retracted record is never due
    source.write_text(source.read_text(encoding="utf-8").replace("Đắk Song", "Đắk Mil", 1), encoding="utf-8")
    assert plan(config, at(10, 6, 0), content)[0].reasons == ("the bulletin's YAML changed",)
    for state, note in (("draft", "chưa được duyệt: bản nháp"), ("retracted", "đã gỡ bỏ (sai tin): không xuất bản lại")):
        (out_dir / "manifest.json").write_text(_record(bulletin, inputs, state), encoding="utf-8")
        (item,) = [d for d in plan(config, at(10, 6, 0), content) if d.id == bulletin.id]
        assert (item.reasons, item.note) == ((), note)


def _record(bulletin, inputs, state: str = "published") -> str:
    """The JSON of a record with no outputs, the given last-publish inputs and editorial state."""
    from bantin.publish.record import BulletinHead, Editorial, Record, dumps

    editorial = Editorial(state=state, reason="sai tin" if state == "retracted" else None)
    return dumps(Record(bulletin=BulletinHead(id=bulletin.id, title=bulletin.title, date=bulletin.date), inputs=inputs, editorial=editorial))


def test_diff_inputs_names_what_changed(sample_bulletin) -> None:
    config = load_config(ROOT / "deployments.yaml")
    base = publish_inputs(SAMPLE_YAML, sample_bulletin, config.locales, config.profiles, config.engine)
    assert diff_inputs(base, base) == []
    assert diff_inputs(None, base) == ["no record of the last publish's inputs"]
    old = {**base, "key": "x", "catalogs": {**base["catalogs"], "en": "other"}, "templates": "other"}
    assert diff_inputs(old, base) == ["the en catalogs changed", "bantin's templates, stylesheets or fonts changed"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("timezone: Mars/Olympus\n", "timezone"),
        ("republish:\n  schedules: ['30 5 * *']\n", "republish.schedules[0]"),
        ("republish:\n  profiles: [a3]\n", "republish.profiles"),
        ("republish:\n  engine: siri\n", "republish.engine"),
        ("republish:\n  slots: []\n", "republish.slots"),
        ("timezon: Asia/Ho_Chi_Minh\n", "timezon"),
    ],
)
def test_bad_deployments_file_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "deployments.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_config(path)
    assert f"field '{field}'" in str(info.value) and str(path) in str(info.value)

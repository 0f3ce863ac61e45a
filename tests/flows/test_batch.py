"""publish-batch: several bulletins in one flow run, on threads and on a Dask LocalCluster, with identical bytes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

pytestmark = pytest.mark.slow

#: Two-paragraph bulletins: a few speech chunks and one-page PDFs, so the batch stays quick.
SMALL = """\
id: {id}
language: vi
title: {title}
date: 2024-06-{day:02d}
source: Trung tâm Y tế huyện
body:
- paragraph: Sáng {day}/6, 6/6 xã đã hoàn thành 95,5% kế hoạch tiêm chủng đợt {n}.
- paragraph: Người dân liên hệ trạm y tế xã để được hướng dẫn.
"""

TITLES = ("Tiêm chủng mở rộng quý II", "Phòng chống sốt xuất huyết", "Nước sạch cho vùng cao")


@pytest.fixture(scope="module")
def harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def small_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Three small bulletin YAMLs in a throw-away content folder; the project root and outputs move to tmp too."""
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / "bantin.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("BANTIN_ROOT", str(root))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1719532800")
    paths = []
    for n, title in enumerate(TITLES, start=1):
        path = root / "content" / f"2024-06-{20 + n}-ban-tin-{n}.yaml"
        path.write_text(SMALL.format(id=path.stem, title=title, day=20 + n, n=n), encoding="utf-8")
        paths.append(str(path))
    return paths


def _tree(folder: Path) -> dict[str, str]:
    """sha256 of every published file under ``folder``, by its path through the live ``<id>`` links.

    The generation folders behind them (``.bantin/<id>/g<time>-<pid>``) are named per run, so they are not compared.
    The record's ``generation`` (the folder's name) and each entry's ``mtime_ns``
    (when the file was written, which the portal checks) are run-specific by
    nature, so they are dropped from the manifests before hashing; every other
    byte must be identical.
    """
    files = {}
    for live in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        for p in sorted(live.rglob("*")):
            if p.is_file():
                data = p.read_bytes()
                if p.name == "manifest.json":
                    data = _without_run_fields(json.loads(data)).__repr__().encode()
                files[f"{live.name}/{p.relative_to(live).as_posix()}"] = hashlib.sha256(data).hexdigest()
    return files


def _without_run_fields(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_run_fields(v) for k, v in value.items() if k not in ("generation", "mtime_ns")}
    if isinstance(value, list):
        return [_without_run_fields(v) for v in value]
    return value


def _publish(sources: list[str], outputs: Path, runner: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    from bantin.flows.batch import publish_batch
    from bantin.flows.runners import get_runner

    monkeypatch.setenv("BANTIN_OUTPUTS", str(outputs))  # Dask workers get it through worker_env()
    monkeypatch.setenv("BANTIN_CACHE", str(outputs.with_name(outputs.name + "-speech")))  # each runner speaks and masters afresh
    flow = publish_batch.with_options(task_runner=get_runner(runner, 2 if runner == "dask" else None))
    from bantin.publish.request import PublishOptions

    return flow(sources, PublishOptions(locales=("vi",), profiles=("a5",), engine="espeak", force=True))


def test_batch_on_dask_matches_threads_byte_for_byte(harness, small_batch: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    threads = _publish(small_batch, tmp_path / "out-threads", "thread", monkeypatch)
    dask = _publish(small_batch, tmp_path / "out-dask", "dask", monkeypatch)

    for summary in (threads, dask):
        assert [o["ok"] for o in summary["bulletins"]] == [True, True, True]
        assert all(o["outputs"] >= 2 for o in summary["bulletins"])  # a PDF and a reading each, at least
    a, b = _tree(tmp_path / "out-threads"), _tree(tmp_path / "out-dask")
    assert sorted(a) == sorted(b)
    kinds = {Path(name).suffix for name in a}
    assert {".pdf", ".mp3", ".json"} <= kinds
    assert len([n for n in a if n.endswith("manifest.json")]) == 3
    assert a == b, [name for name in a if a[name] != b[name]]
    manifest = json.loads(next((tmp_path / "out-dask").rglob("manifest.json")).read_text(encoding="utf-8"))
    assert manifest["outputs"]


def test_batch_reports_each_bulletin_and_keeps_going_after_a_bad_one(harness, small_batch: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bantin.flows.batch import BatchFailed, listening, publish_batch
    from bantin.publish.request import PublishOptions

    bad = Path(small_batch[0]).with_name("2024-06-30-hong.yaml")
    bad.write_text("id: 2024-06-30-hong\nlanguage: vi\ntitle: ''\nbody: []\n", encoding="utf-8")
    monkeypatch.setenv("BANTIN_OUTPUTS", str(tmp_path / "out"))
    monkeypatch.setenv("BANTIN_RENDER_WORKERS", "1")  # one core: at most two bulletins in flight
    events: list[tuple[str, str, bool | None]] = []
    stages: list[str] = []

    def listen(event: str, source: str, outcome: dict | None) -> None:
        if event == "stage":  # told as each output stage settles, before its bulletin's "done"
            assert ("done", Path(source).stem, True) not in events and ("done", Path(source).stem, False) not in events
            stages.append(Path(source).stem)
            return
        events.append((event, Path(source).stem, outcome and outcome["ok"]))

    with listening(listen), pytest.raises(BatchFailed, match="1 of 3 bulletins failed: 2024-06-30-hong"):
        publish_batch([small_batch[0], str(bad), small_batch[1]], PublishOptions(locales=("vi",), profiles=("a5",), engine="espeak"))
    assert sorted(e for e in events if e[0] == "done") == sorted(
        [("done", Path(small_batch[0]).stem, True), ("done", "2024-06-30-hong", False), ("done", Path(small_batch[1]).stem, True)]
    )
    assert [e[0] for e in events[:3]] == ["start", "start", "done"]  # two in flight together; the third waits for a slot
    assert {Path(small_batch[0]).stem, Path(small_batch[1]).stem} <= set(stages)  # the stage bar moved while they ran
    assert (tmp_path / "out" / Path(small_batch[1]).stem / "manifest.json").is_file()


def test_republish_publishes_its_due_bulletins_concurrently(harness, small_batch: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bantin.flows.batch import listening
    from bantin.flows.flow import republish

    deployments = tmp_path / "deployments.yaml"
    deployments.write_text('republish:\n  schedules: ["30 5 * * *"]\n  locales: [vi]\n  profiles: [a5]\n  engine: espeak\n', encoding="utf-8")
    monkeypatch.setenv("BANTIN_DEPLOYMENTS", str(deployments))
    monkeypatch.setenv("BANTIN_OUTPUTS", str(tmp_path / "out"))
    from bantin.content.bulletin_file import load_bulletin
    from bantin.publish.record import BulletinHead, Record, dumps

    for path in small_batch:  # approved (published) once, inputs unknown: due; a bulletin never approved would not be
        b = load_bulletin(Path(path))
        (tmp_path / "out" / b.id).mkdir(parents=True)
        (tmp_path / "out" / b.id / "manifest.json").write_text(dumps(Record(bulletin=BulletinHead(id=b.id, title=b.title, date=b.date))), encoding="utf-8")
    events: list[str] = []
    with listening(lambda event, source, outcome: events.append(event) if event != "stage" else None):
        summary = republish()
    assert sorted(d["id"] for d in summary["republished"]) == sorted(Path(p).stem for p in small_batch)
    assert events[:3] == ["start", "start", "start"]  # all three were in flight before the first one ended
    assert events.count("done") == 3
    for path in small_batch:
        assert (tmp_path / "out" / Path(path).stem / "manifest.json").is_file()

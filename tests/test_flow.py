"""End to end: the publish-bulletin flow under Prefect's test harness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

from flows.fsutil import sha256_file

from testing_utils import SAMPLE_TITLE, pdf_text


@pytest.fixture(scope="module")
def harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_publish_sample_end_to_end(harness, sample_yaml: Path, sample_bulletin, outputs: Path) -> None:
    from flows.flow import publish_bulletin

    summary = publish_bulletin(str(sample_yaml), engine="espeak")
    out_dir = outputs / sample_bulletin.id
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert Path(summary["manifest"]) == out_dir / "manifest.json"
    paths = sorted(o["path"] for o in manifest["outputs"])
    sid = sample_bulletin.id
    assert paths == [f"vi/{sid}.vi.a4.pdf", f"vi/{sid}.vi.mp3", f"vi/{sid}.vi.txt", f"vi/{sid}.vi.vtt"]
    kinds = {o["path"]: (o["kind"], o["media_type"]) for o in manifest["outputs"]}
    assert kinds[f"vi/{sid}.vi.txt"] == ("transcript", "text/plain; charset=utf-8")
    assert kinds[f"vi/{sid}.vi.vtt"] == ("captions", "text/vtt")
    for out in manifest["outputs"]:
        assert sha256_file(out_dir / out["path"]) == out["sha256"]
    audio = next(o for o in manifest["outputs"] if o["kind"] == "audio")
    assert audio["engine"] == "espeak" and audio["degraded"] is True and audio["duration_s"] > 30
    assert audio["read_by"] == ["espeak"] and {p["engine"] for p in audio["parts"]} == {"espeak"}
    assert abs(audio["loudness"]["integrated_lufs"] + 16) <= 1 and audio["loudness"]["true_peak_dbtp"] <= -1.5
    assert SAMPLE_TITLE in pdf_text(out_dir / f"vi/{sample_bulletin.id}.vi.a4.pdf")
    assert manifest["status"] == "complete" and manifest["bulletin"]["date"] == "2024-06-28"
    leftovers = [p for p in out_dir.rglob("*") if ".tmp" in p.name]
    assert leftovers == []

    # Publishing again gives the same files, byte for byte, and leaves them untouched.
    before = {o["path"]: (out_dir / o["path"]).stat().st_mtime_ns for o in manifest["outputs"]}
    publish_bulletin(str(sample_yaml), engine="espeak")
    again = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [o["sha256"] for o in again["outputs"]] == [o["sha256"] for o in manifest["outputs"]]
    assert {p: (out_dir / p).stat().st_mtime_ns for p in before} == before


def test_failed_stage_fails_the_run_and_keeps_the_rest(harness, sample_yaml: Path, sample_bulletin, outputs: Path) -> None:
    from flows.flow import PublishFailed, publish_bulletin

    with pytest.raises(PublishFailed) as info:
        publish_bulletin(str(sample_yaml), engine="no-such-engine")
    assert [f.stage for f in info.value.failures] == ["synthesize_audio"]
    manifest = json.loads((outputs / sample_bulletin.id / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed"
    assert [o["kind"] for o in manifest["outputs"]] == ["pdf"]
    assert "unknown speech engine 'no-such-engine'" in manifest["failures"][0]["reason"]

"""The manifest lists every output with a hash that matches the file."""

from __future__ import annotations

import json
from pathlib import Path

from bantin.fsutil import atomic_path, sha256_file
from bantin.publish.manifest import Failure, build_manifest, write_manifest
from bantin.render.core import render_pdf


def test_manifest_hashes_match_and_rewrite_is_skipped(sample_variant, sample_yaml: Path, tmp_path: Path, monkeypatch) -> None:
    b = sample_variant.bulletin
    pdf = render_pdf(sample_variant, "a4", tmp_path / "vi" / f"{b.id}.vi.a4.pdf")
    data = build_manifest(b, sample_yaml, tmp_path, [pdf], [], [Failure("synthesize_audio", "no voice", "vi")], ["vi"])
    manifest = write_manifest(data, tmp_path)
    on_disk = json.loads(manifest.path.read_text(encoding="utf-8"))
    assert on_disk["source"]["sha256"] == sha256_file(sample_yaml)
    assert on_disk["status"] == "failed" and on_disk["failures"][0]["stage"] == "synthesize_audio"
    for out in on_disk["outputs"]:
        path = tmp_path / out["path"]
        assert sha256_file(path) == out["sha256"] and path.stat().st_size == out["bytes"]
    kinds = {o["kind"]: o for o in on_disk["outputs"]}
    assert sorted(kinds) == ["pdf", "preview"]
    assert kinds["pdf"]["media_type"] == "application/pdf" and kinds["pdf"]["pages"] == pdf.pages
    assert kinds["preview"]["media_type"] == "image/png" and kinds["preview"]["preview_of"] == kinds["pdf"]["path"]
    # Only the generation time differs: the file is left alone.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1719532800")
    again = build_manifest(b, sample_yaml, tmp_path, [pdf], [], [Failure("synthesize_audio", "no voice", "vi")], ["vi"])
    assert again["generated_at"] == "2024-06-28T00:00:00Z"
    assert write_manifest(again, tmp_path).written is False


def test_atomic_path_leaves_nothing_on_crash(tmp_path: Path) -> None:
    final = tmp_path / "out.pdf"
    try:
        with atomic_path(final) as tmp:
            tmp.write_bytes(b"%PDF-partial")
            raise RuntimeError("crash mid-write")
    except RuntimeError:
        pass
    assert list(tmp_path.iterdir()) == []

"""Reading manifests: both shapes of ``locales``, previews either way, unsafe manifest paths ignored."""

from __future__ import annotations

import json
from pathlib import Path

from portal_names import OLD_ID, SAMPLE_ID


def test_library_reads_both_manifest_shapes(portal_outputs: Path) -> None:
    from bantin.portal import load_library

    lib = load_library(portal_outputs)
    assert [b.id for b in lib.bulletins] == [SAMPLE_ID, OLD_ID]
    a, old = lib.bulletins
    assert [(s.code, s.status, s.published) for s in a.locales] == [("vi", "source", True), ("en", "published", True), ("km", "skipped", False)]
    assert a.status("km").reason == "translation 40% < 90%" and a.status("km").percent == 40
    assert [(s.code, s.status) for s in old.locales] == [("vi", "source")]
    en_pdf = a.outputs("en", "pdf")[0]
    assert a.preview_for(en_pdf).path.endswith(".en.a5.png")
    assert a.preview_for(a.outputs("vi", "pdf")[0]).path.endswith(".vi.a4.png")
    assert lib.reading_locales() == ["vi", "en"]


def test_a_record_path_through_a_link_out_of_the_folder_is_never_served(tmp_path: Path, caplog) -> None:
    from bantin.portal import load_library

    folder = tmp_path / "2024-01-01-x"
    (folder / "vi").mkdir(parents=True)
    (folder / "vi" / "ok.pdf").write_bytes(b"%PDF-1.7\n")
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    (folder / "vi" / "link.pdf").symlink_to(tmp_path / "outside.txt")
    outputs = [
        {"path": "vi/ok.pdf", "kind": "pdf", "locale": "vi"},
        {"path": "vi/link.pdf", "kind": "pdf", "locale": "vi"},
    ]
    manifest = {"bulletin": {"id": folder.name, "title": "x", "date": "2024-01-01"}, "locales": ["vi"], "outputs": outputs}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with caplog.at_level("WARNING", logger="bantin.portal"):
        b = load_library(tmp_path).get(folder.name)
        load_library(tmp_path)  # read once: one log line, not one per request
    assert sorted(b.files) == ["vi/ok.pdf"]  # the link out of the bulletin folder is dropped
    assert b.file_path("vi/ok.pdf") == (folder / "vi" / "ok.pdf").resolve()
    assert b.file_path("vi/link.pdf") is None and b.file_path("../outside.txt") is None
    assert [r.getMessage() for r in caplog.records if "vi/link.pdf" in r.getMessage()] == [
        f"{folder / 'manifest.json'}: record path 'vi/link.pdf' leads out of the bulletin's generation (a link); never served"
    ]


def test_manifest_with_mismatched_id_is_skipped(tmp_path: Path) -> None:
    from bantin.portal import load_library

    folder = tmp_path / "2024-01-01-x"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"bulletin": {"id": "other", "title": "x", "date": "2024-01-01"}}), encoding="utf-8")
    assert load_library(tmp_path).bulletins == ()

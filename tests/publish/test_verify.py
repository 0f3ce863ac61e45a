"""``bantin verify``: missing, changed and unlisted files fail it; stale entries are reported (and fail it with --strict)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from bantin.cli import cli
from bantin.fsutil import sha256_file
from bantin.publish.record import BulletinHead, Entry, LocaleRecord, Record
from bantin.publish.store import BulletinStore
from bantin.publish.verify import verify_bulletin

BID = "2024-06-28-x"


def _commit(root: Path, files: dict[str, bytes], stale: frozenset[str] = frozenset()) -> None:
    store = BulletinStore(BID, root)
    with store.locked():
        stage = store.begin()
        entries = []
        for rel, data in files.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            entries.append(
                Entry(
                    path=rel,
                    kind="pdf",
                    locale="vi",
                    profile=rel.split(".")[-2],
                    media_type="application/pdf",
                    bytes=len(data),
                    sha256=sha256_file(path),
                    mtime_ns=path.stat().st_mtime_ns,
                    stale=rel in stale,
                )
            )
        head = BulletinHead(id=BID, title="x", date=dt.date(2024, 6, 28))
        store.commit(Record(bulletin=head, outputs=entries, locales={"vi": LocaleRecord(code="vi", status="published")}))


@pytest.fixture
def outputs_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "outputs"
    root.mkdir()
    monkeypatch.setenv("BANTIN_OUTPUTS", str(root))
    monkeypatch.setenv("BANTIN_ROOT", str(tmp_path))
    _commit(root, {"vi/x.vi.a4.pdf": b"%PDF-a4", "vi/x.vi.a5.pdf": b"%PDF-a5", "vi/x.vi.large-print.pdf": b"%PDF-lp"}, frozenset({"vi/x.vi.a5.pdf"}))
    return root


def test_a_true_record_verifies_and_stale_fails_only_when_strict(outputs_root: Path) -> None:
    ok = CliRunner().invoke(cli, ["verify"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip().splitlines()[-1] == "verify: ok: 1 bulletin(s), 3 listed file(s); 0 missing, 0 changed, 0 unlisted, 1 stale"
    assert "stale" in ok.output and "x.vi.a5.pdf" in ok.output  # the table names it
    strict = CliRunner().invoke(cli, ["verify", BID, "--strict"])
    assert strict.exit_code == 1 and "MISMATCH" in strict.output


def test_missing_changed_and_unlisted_files_fail(outputs_root: Path) -> None:
    live = outputs_root / BID
    (live / "vi" / "x.vi.a4.pdf").write_bytes(b"%PDF-edited")
    (live / "vi" / "x.vi.large-print.pdf").unlink()
    (live / "vi" / "extra.mp3").write_bytes(b"ID3")
    found = {(f.path, f.problem) for f in verify_bulletin(BID, outputs_root).findings}
    assert found == {("vi/x.vi.a4.pdf", "changed"), ("vi/x.vi.large-print.pdf", "missing"), ("vi/extra.mp3", "unlisted"), ("vi/x.vi.a5.pdf", "stale")}
    result = CliRunner().invoke(cli, ["verify", "--all"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == "verify: MISMATCH: 1 bulletin(s), 3 listed file(s); 1 missing, 1 changed, 1 unlisted, 1 stale"
    unknown = CliRunner().invoke(cli, ["verify", "no-such-id"])
    assert unknown.exit_code == 1 and "no such bulletin" in unknown.output

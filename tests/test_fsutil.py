"""Reproducible, atomic writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bantin.fsutil import source_date, write_bytes_if_changed


def test_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1719532800")
    assert source_date() == dt.datetime(2024, 6, 28, tzinfo=dt.UTC)
    for unusable in ("", "soon", "-5"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", unusable)
        assert source_date() is None
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert source_date() is None


def test_unchanged_bytes_are_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    assert write_bytes_if_changed(path, b"one") is True
    mtime = path.stat().st_mtime_ns
    assert write_bytes_if_changed(path, b"one") is False and path.stat().st_mtime_ns == mtime
    assert write_bytes_if_changed(path, b"two") is True and path.read_bytes() == b"two"

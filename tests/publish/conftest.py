"""Fixtures for the record tests (helpers in record_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from publish.record_helpers import SmallProject, make_small_project


@pytest.fixture
def small_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SmallProject:
    """A fresh small project; this process points at it too (BANTIN_ROOT, BANTIN_OUTPUTS)."""
    project = make_small_project(tmp_path / "proj")
    monkeypatch.setenv("BANTIN_ROOT", str(project.root))
    monkeypatch.setenv("BANTIN_OUTPUTS", str(project.outputs))
    return project

"""Shared fixtures.  Prefect is pointed at a throw-away home before anything imports it."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_PREFECT_HOME = tempfile.mkdtemp(prefix="bantin-test-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")  # tasks called outside a flow in tests
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("SOURCE_DATE_EPOCH", None)
# Each CLI publish gets Prefect's temporary server; tests of the project's own server (auto, the default) set it themselves.
os.environ["BANTIN_SERVER"] = "temporary"
# Spoken chunks are cached per test session, never in the project's .cache/.
os.environ["BANTIN_CACHE"] = _SPEECH_CACHE = tempfile.mkdtemp(prefix="bantin-test-speech-")

from testing_utils import SAMPLE_RAW, SAMPLE_YAML  # noqa: E402 (after the environment is set)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this session's Prefect home and speech cache (tens of MB each): a test run leaves nothing in the temp folder."""
    for folder in (_PREFECT_HOME, _SPEECH_CACHE):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def sample_raw() -> Path:
    return SAMPLE_RAW


@pytest.fixture(scope="session")
def sample_yaml() -> Path:
    return SAMPLE_YAML


@pytest.fixture(scope="session")
def sample_bulletin():
    from bantin.content.bulletin_file import load_bulletin

    return load_bulletin(SAMPLE_YAML)


@pytest.fixture(scope="session")
def sample_variant(sample_bulletin):
    from bantin.i18n.localize import localize

    return localize(sample_bulletin, "vi")


@pytest.fixture
def outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty outputs/ root for this test."""
    out = tmp_path / "outputs"
    out.mkdir()
    monkeypatch.setenv("BANTIN_OUTPUTS", str(out))
    return out


@pytest.fixture(scope="session")
def small_variant():
    """A two-paragraph Vietnamese bulletin: a few speech chunks, so readings stay quick."""
    import datetime as dt

    from bantin.content.model import Bulletin, Paragraph
    from bantin.i18n.localize import localize

    bulletin = Bulletin(
        id="2024-06-28-tiem-chung",
        title="Tiêm chủng mở rộng quý II",
        date=dt.date(2024, 6, 28),
        body=(
            Paragraph("Sáng 28/6, 6/6 xã đã hoàn thành 95,5% kế hoạch tiêm chủng."),
            Paragraph("Người dân liên hệ trạm y tế xã để được hướng dẫn."),
        ),
        source="Trung tâm Y tế huyện",
    )
    return localize(bulletin, "vi")

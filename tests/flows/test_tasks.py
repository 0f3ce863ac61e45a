"""Prefect tasks: the reading task retries transient gTTS failures and paces requests with a global rate limit."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses
from prefect.testing.utilities import prefect_test_harness

from testing_utils import BATCHEXECUTE, GTTS_OK_BODY, GTTS_TOO_MANY


@pytest.fixture(scope="module")
def harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield


@responses.activate
def test_reading_task_retries_a_429_then_succeeds(harness, small_variant, tmp_path: Path, monkeypatch) -> None:
    from prefect.client.orchestration import get_client

    from bantin.flows import tasks
    from bantin.flows.tasks import GTTS_RATE_LIMIT, synthesize_audio_task

    monkeypatch.setenv("BANTIN_CACHE", str(tmp_path / "cache"))
    # as after an earlier run on another (temporary) server: this process believes the limit exists
    monkeypatch.setattr(tasks, "_rate_limit_ready", True)
    responses.add(responses.POST, BATCHEXECUTE, body=GTTS_TOO_MANY, status=429, content_type="text/html")
    responses.add(responses.POST, BATCHEXECUTE, body=GTTS_OK_BODY, status=200)
    fast = synthesize_audio_task.with_options(retry_delay_seconds=0, retry_jitter_factor=None)
    result = fast(small_variant, "gtts", tmp_path / "out")
    statuses = [c.response.status_code for c in responses.calls]
    assert statuses[0] == 429 and set(statuses[1:]) == {200} and len(statuses) > 2
    assert result.read_by == ("gtts",) and result.degraded is False and result.path.is_file()
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name(GTTS_RATE_LIMIT)
    assert limit.slot_decay_per_second > 0  # created on first use, so rate_limit() really paces


@responses.activate
def test_reading_task_does_not_retry_a_refusal(harness, small_variant, tmp_path: Path, monkeypatch) -> None:
    from bantin.errors import SpeechError
    from bantin.flows.tasks import synthesize_audio_task

    monkeypatch.setenv("BANTIN_CACHE", str(tmp_path / "cache"))
    responses.add(responses.POST, BATCHEXECUTE, body="forbidden", status=403)
    fast = synthesize_audio_task.with_options(retry_delay_seconds=0, retry_jitter_factor=None)
    with pytest.raises(SpeechError, match="refused"):
        fast(small_variant, "gtts", tmp_path / "out")
    assert len(responses.calls) == 1


def test_cache_key_functions_never_raise() -> None:
    """A mistyped bulletin id must not put a traceback from the cache-key function in the run log."""
    from bantin.flows.tasks import load_bulletin_task, localize_task, render_pdf_task, synthesize_audio_task

    for task in (load_bulletin_task, localize_task, render_pdf_task, synthesize_audio_task):
        assert task.cache_policy is not None
    from bantin.flows import tasks

    assert tasks._load_key(None, {"source": "no-such-bulletin-id"}) is None  # type: ignore[arg-type]
    assert tasks._reading_key(None, {}) is None  # type: ignore[arg-type]

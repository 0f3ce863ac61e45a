"""The command line's choices and defaults come from one source each (the registries and bantin.defaults)."""

from __future__ import annotations

import click

from bantin import defaults
from bantin.cli import cli


def _option(command: str, name: str) -> click.Option:
    cmd = cli.commands[command]
    assert isinstance(cmd, click.Command)
    return next(p for p in cmd.params if isinstance(p, click.Option) and name in p.opts)


def test_publish_choices_are_the_registries_and_the_request() -> None:
    """The option lists exist once: the registries; the CLI's choices and the request's form enums are built from them."""
    from bantin.publish.request import PublishRequest
    from bantin.render.profiles import PROFILES
    from bantin.speech.engines import ENGINES

    form = PublishRequest.model_json_schema()["properties"]
    engine = _option("publish", "--engine")
    assert isinstance(engine.type, click.Choice)
    assert list(engine.type.choices) == list(ENGINES) == form["engine"]["enum"]
    assert list(_option("publish", "--profile").default) == list(PROFILES) == form["profiles"]["items"]["enum"]
    assert tuple(_option("publish", "--profile").default) == PublishRequest.model_fields["profiles"].default


def test_publish_defaults_are_the_named_constants() -> None:
    from bantin.publish.request import PublishOptions

    fields = PublishOptions.model_fields
    assert _option("publish", "--bitrate").default == fields["bitrate_kbps"].default == defaults.DEFAULT_BITRATE_KBPS
    assert _option("publish", "--pause").default == fields["pause"].default == defaults.DEFAULT_PAUSE_S
    assert _option("publish", "--min-translated").default == fields["min_translated"].default == defaults.DEFAULT_MIN_TRANSLATED
    assert _option("publish", "--engine").default == fields["engine"].default == defaults.DEFAULT_ENGINE
    assert tuple(_option("publish", "--locale").default) == fields["locales"].default == defaults.DEFAULT_LOCALES
    bitrate = _option("publish", "--bitrate").type
    assert isinstance(bitrate, click.IntRange) and (bitrate.min, bitrate.max) == defaults.BITRATE_RANGE_KBPS


def test_machine_faults_get_one_line_that_says_what_to_do() -> None:
    import errno

    from bantin.cli import _environment_fault

    line = _environment_fault(OSError(errno.ENOSPC, "No space left on device", "/srv/outputs/x.pdf"))
    assert line == "/srv/outputs/x.pdf cannot be written: the disk is full. Free some space, then publish again; the previous record was kept"
    assert "read-only" in (_environment_fault(OSError(errno.EROFS, "Read-only file system", "/mnt/ro")) or "")
    assert "\x1b" not in (_environment_fault(OSError(errno.EACCES, "denied", "/tmp/\x1b[31mred")) or "")
    assert _environment_fault(OSError(errno.ENOENT, "No such file")) is None  # not a machine fault: a bug report


def test_prefect_run_logs_carry_no_traceback_for_explained_failures() -> None:
    import errno
    import logging
    import sys

    from bantin.errors import RenderError
    from bantin.flows.prefect_env import ExpectedFailureFilter

    def record(exc: BaseException) -> logging.LogRecord:
        try:
            raise exc
        except BaseException:
            return logging.LogRecord("prefect.task_runs", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())

    explained = record(RenderError("body[2].image: photo file x.jpg is missing"))
    disk = record(OSError(errno.ENOSPC, "No space left on device"))
    bug = record(KeyError("oops"))
    for rec in (explained, disk, bug):
        assert ExpectedFailureFilter().filter(rec)
    assert explained.exc_info is None and disk.exc_info is None
    assert bug.exc_info is not None  # a genuine bug keeps its traceback

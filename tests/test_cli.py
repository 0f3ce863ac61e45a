"""The command line's choices and defaults come from one source each (the registries and bantin.defaults)."""

from __future__ import annotations

import click
import pytest

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


# --------------------------------------------------------------------------- the desk from the terminal


def test_init_asks_for_the_centre_on_a_terminal_only(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    import bantin.cli

    monkeypatch.setattr(bantin.cli, "_interactive", lambda: True)
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "asked")], input="Trung tâm VH-TT&TT huyện\nhttps://bantin.example.org/\n\n")
    assert result.exit_code == 0, result.output
    assert "Tên trung tâm" in result.output
    toml = (tmp_path / "asked" / "bantin.toml").read_text(encoding="utf-8")
    assert 'centre = "Trung tâm VH-TT&TT huyện"' in toml and 'public_url = "https://bantin.example.org"' in toml and 'feed_author = ""' in toml

    given = CliRunner().invoke(cli, ["init", str(tmp_path / "given"), "--centre", "TT", "--public-url", "", "--feed-author", ""])
    assert given.exit_code == 0 and "Tên trung tâm" not in given.output  # every answer given: nothing asked

    monkeypatch.setattr(bantin.cli, "_interactive", lambda: False)
    script = CliRunner().invoke(cli, ["init", str(tmp_path / "script")])
    assert script.exit_code == 0 and "Tên trung tâm" not in script.output
    assert 'centre = ""' in (tmp_path / "script" / "bantin.toml").read_text(encoding="utf-8")


def test_publish_records_the_system_user_as_approver_and_finds_drafts(tmp_path, monkeypatch) -> None:
    import getpass

    from bantin.cli import _resolve_bulletin, _system_actor
    from bantin.desk.drafts import DraftStore
    from bantin.project import init_project
    from desk.desk_project import SMALL_ID, small_bulletin

    assert _option("publish", "--approved-by").default is None and _system_actor() == f"system:{getpass.getuser()}"
    assert _option("publish", "--draft").is_flag
    init_project(tmp_path / "proj")
    monkeypatch.setenv("BANTIN_ROOT", str(tmp_path / "proj"))
    monkeypatch.delenv("BANTIN_DESK_DIR", raising=False)
    draft = DraftStore().create(small_bulletin(), None, None, by="lan")
    assert _resolve_bulletin(SMALL_ID, draft=True) == draft.path
    from bantin.errors import InputError

    with pytest.raises(InputError, match="no such bulletin file or id"):
        _resolve_bulletin(SMALL_ID)  # a draft is never published as the approved bulletin


def test_wrong_desk_moves_from_the_terminal_are_one_line(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from bantin.desk.drafts import DraftStore
    from bantin.project import init_project
    from desk.desk_project import SMALL_ID, small_bulletin

    init_project(tmp_path / "proj")
    monkeypatch.setenv("BANTIN_ROOT", str(tmp_path / "proj"))
    monkeypatch.delenv("BANTIN_OUTPUTS", raising=False)
    monkeypatch.delenv("BANTIN_DESK_DIR", raising=False)
    DraftStore().create(small_bulletin(), None, None, by="lan")
    runner = CliRunner()
    approve = runner.invoke(cli, ["approve", SMALL_ID])
    assert approve.exit_code == 2 and approve.output.strip().count("\n") == 0
    assert "has not been submitted for approval. Submit it first" in approve.output
    retract = runner.invoke(cli, ["retract", SMALL_ID, "--reason", "Sai"])
    assert retract.exit_code == 2 and "bantin: error:" in retract.output and retract.output.strip().count("\n") == 0
    state = runner.invoke(cli, ["list", "--state", "trash"])
    assert state.exit_code == 2 and "--state: 'trash' is not a desk state" in state.output
    listed = runner.invoke(cli, ["list", "--state", "nháp"])
    assert listed.exit_code == 0 and SMALL_ID in listed.output and "nháp" in listed.output and "1 bulletin(s)" in listed.output


@pytest.mark.slow
def test_approve_publishes_as_the_system_user_then_retract_restore_accept_and_audit(tmp_path, monkeypatch) -> None:
    """One real publish (vi, a5, espeak: about 20 s) through 'bantin approve' in a subprocess; the rest in this process."""
    import getpass
    import subprocess
    import sys

    from click.testing import CliRunner

    from bantin.desk.drafts import DraftStore
    from bantin.project import init_project
    from bantin.publish.store import BulletinStore
    from desk.desk_project import SMALL_ID, project_env, small_bulletin

    root = tmp_path / "proj"
    init_project(root)
    monkeypatch.setenv("BANTIN_ROOT", str(root))
    monkeypatch.delenv("BANTIN_OUTPUTS", raising=False)
    monkeypatch.delenv("BANTIN_DESK_DIR", raising=False)
    drafts = DraftStore()
    drafts.create(small_bulletin(), None, None, by="lan")
    drafts.submit(SMALL_ID, by="lan")
    me = f"system:{getpass.getuser()}"

    command = [sys.executable, "-m", "bantin.cli", "approve", SMALL_ID, "--locale", "vi", "--profile", "a5", "--engine", "espeak"]
    done = subprocess.run(command, cwd=root, env=project_env(root), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"approved {SMALL_ID}: content/{SMALL_ID}.yaml (by {me})" in done.stdout
    record = BulletinStore(SMALL_ID, root / "outputs").record()
    assert record is not None and record.editorial.state == "published" and record.editorial.approved_by == me
    assert not drafts.exists(SMALL_ID)

    runner = CliRunner()
    assert "bản đọc máy" in runner.invoke(cli, ["list"]).output  # espeak: held from the feeds
    accepted = runner.invoke(cli, ["accept-reading", SMALL_ID, "--locale", "vi"])
    assert accepted.exit_code == 0, accepted.output
    assert "đã xuất bản" in runner.invoke(cli, ["list", "--state", "published"]).output
    retracted = runner.invoke(cli, ["retract", SMALL_ID, "--reason", "Sai số liệu"])
    assert retracted.exit_code == 0 and f"retracted {SMALL_ID} (by {me}: Sai số liệu)" in retracted.output
    assert SMALL_ID in runner.invoke(cli, ["list", "--state", "retracted"]).output
    assert SMALL_ID not in runner.invoke(cli, ["list", "--state", "published"]).output
    restored = runner.invoke(cli, ["restore", SMALL_ID])
    assert restored.exit_code == 0 and "published again" in restored.output

    from bantin.publish.audit import events

    actions = [(e.action, e.actor) for e in events(SMALL_ID, root=root)]
    assert actions[:5] == [("restored", me), ("retracted", me), ("accepted_reading", me), ("published", me), ("approved", me)]
    trail = runner.invoke(cli, ["audit", SMALL_ID])
    assert trail.exit_code == 0 and "retracted" in trail.output and "Sai số liệu" in trail.output and "event(s)" in trail.output

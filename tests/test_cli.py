"""The command line's choices and defaults come from one source each (the registries and bantin.defaults)."""

from __future__ import annotations

from typing import get_args

import click

from bantin import defaults
from bantin.cli import cli


def _option(command: str, name: str) -> click.Option:
    cmd = cli.commands[command]
    assert isinstance(cmd, click.Command)
    return next(p for p in cmd.params if isinstance(p, click.Option) and name in p.opts)


def test_publish_choices_are_the_registries_and_the_form() -> None:
    from bantin.flows.flow import EngineName, ProfileName
    from bantin.render.profiles import PROFILES
    from bantin.speech.engines import ENGINES

    engine = _option("publish", "--engine")
    assert isinstance(engine.type, click.Choice)
    assert set(engine.type.choices) == set(ENGINES) == set(get_args(EngineName))
    assert set(_option("publish", "--profile").default) == set(PROFILES) == set(get_args(ProfileName))


def test_publish_defaults_are_the_named_constants() -> None:
    import inspect

    from bantin.flows.flow import publish_bulletin

    form = inspect.signature(publish_bulletin.fn).parameters
    assert _option("publish", "--bitrate").default == form["bitrate_kbps"].default == defaults.DEFAULT_BITRATE_KBPS
    assert _option("publish", "--pause").default == form["pause"].default == defaults.DEFAULT_PAUSE_S
    assert _option("publish", "--min-translated").default == form["min_translated"].default == defaults.DEFAULT_MIN_TRANSLATED
    assert _option("publish", "--engine").default == form["engine"].default == defaults.DEFAULT_ENGINE
    bitrate = _option("publish", "--bitrate").type
    assert isinstance(bitrate, click.IntRange) and (bitrate.min, bitrate.max) == defaults.BITRATE_RANGE_KBPS

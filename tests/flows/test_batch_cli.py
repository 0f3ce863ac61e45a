"""bantin publish of a folder or several bulletins: what it publishes, its table and its exit status."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

BULLETIN = """\
id: {id}
language: vi
title: Bản tin số {n}
date: 2024-06-2{n}
source: Trung tâm Y tế huyện
body:
- paragraph: Sáng 2{n}/6, 6/6 xã đã hoàn thành 95,5% kế hoạch tiêm chủng đợt {n}.
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / "bantin.toml").write_text("", encoding="utf-8")
    for n in (1, 2):
        (root / "content" / f"2024-06-2{n}-ban-tin-{n}.yaml").write_text(BULLETIN.format(id=f"2024-06-2{n}-ban-tin-{n}", n=n), encoding="utf-8")
    (root / "content" / "noise.yaml").write_text("[]\n", encoding="utf-8")
    monkeypatch.setenv("BANTIN_ROOT", str(root))
    monkeypatch.setenv("BANTIN_OUTPUTS", str(root / "outputs"))
    monkeypatch.chdir(root)
    monkeypatch.setenv("COLUMNS", "240")  # rich sizes the table to the terminal
    return root


def test_expand_bulletins_takes_folders_ids_and_paths_once_each(project: Path) -> None:
    from bantin.flows.batch_cli import expand_bulletins

    one, two = sorted((project / "content").glob("2024-*.yaml"))
    assert expand_bulletins(["content"]) == [Path("content") / one.name, Path("content") / two.name]  # noise.yaml is not a bulletin
    assert expand_bulletins([one.stem, str(two), str(one)]) == [project / "content" / one.name, two]


def test_expand_bulletins_names_what_is_missing(project: Path) -> None:
    from bantin.errors import InputError
    from bantin.flows.batch_cli import expand_bulletins

    (project / "empty").mkdir()
    with pytest.raises(InputError, match="empty: the folder holds no bulletin"):
        expand_bulletins(["empty"])
    with pytest.raises(InputError, match="nope: no such bulletin file, folder or id"):
        expand_bulletins(["nope"])


@pytest.mark.slow
def test_publish_a_folder_in_one_run_prints_a_table(project: Path) -> None:
    from prefect.testing.utilities import prefect_test_harness

    from bantin.cli import cli

    with prefect_test_harness(server_startup_timeout=120):
        result = CliRunner().invoke(cli, ["publish", "content", "--engine", "espeak", "--profile", "a5"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "publishing 2 bulletins in one run on thread" in result.output
    for n in (1, 2):
        assert f"2024-06-2{n}-ban-tin-{n}" in result.output
        assert (project / "outputs" / f"2024-06-2{n}-ban-tin-{n}" / "manifest.json").is_file()
    assert result.output.count("published") == 2

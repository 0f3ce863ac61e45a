"""A publish writes and removes only inside ``outputs/.bantin/<id>/``: links and record paths that lead elsewhere are refused.

Each case is set up by hand on a published bulletin, as a hostile or unlucky
user would; the folder the link or path points to must still hold its files
afterwards, the publish must fail in one line before any work, and verify must
report the case as unsafe.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from bantin.errors import UnsafeOutputError
from bantin.publish.record import MANIFEST_NAME
from bantin.publish.store import BulletinStore
from bantin.publish.verify import verify_bulletin
from publish.record_helpers import SMALL_ID, SmallProject


@pytest.fixture
def published(small_project: SmallProject) -> SmallProject:
    small_project.publish("a4")
    return small_project


@pytest.fixture
def precious(tmp_path: Path) -> Path:
    """A folder outside the project that nothing may touch."""
    folder = tmp_path / "precious"
    (folder / "vi").mkdir(parents=True)
    (folder / "keep.txt").write_text("mine\n", encoding="utf-8")
    (folder / "vi" / "photo.jpg").write_bytes(b"\xff\xd8 not to be removed")
    (folder / MANIFEST_NAME).write_text("{}", encoding="utf-8")
    return folder


def _intact(folder: Path) -> None:
    assert (folder / "keep.txt").read_text(encoding="utf-8") == "mine\n"
    assert (folder / "vi" / "photo.jpg").read_bytes() == b"\xff\xd8 not to be removed"


def _refused(project: SmallProject, names: str) -> str:
    """Publishing is refused before any work, in one line that names ``names``; the driver's stderr ends with it."""
    store = BulletinStore(SMALL_ID)
    with pytest.raises(UnsafeOutputError) as caught, store.locked():
        store.begin()
    message = str(caught.value)
    assert "\n" not in message and names in message and "outside the bulletin's own generations" in message and "neither follows nor removes" in message
    assert not store.staging.exists()
    proc = project.driver("a4")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0 and "UnsafeOutputError" in err
    return message


def _unsafe(project: SmallProject) -> list[str]:
    result = verify_bulletin(SMALL_ID)
    assert not result.ok()
    return [f.problem for f in result.findings]


def test_a_live_link_to_another_folder_is_refused_and_the_folder_kept(published: SmallProject, precious: Path) -> None:
    store = BulletinStore(SMALL_ID)
    generation = store.generation()
    store.live.unlink()
    os.symlink(precious, store.live)
    message = _refused(published, str(store.live))
    assert str(precious) in message
    _intact(precious)
    assert _unsafe(published) == ["unsafe"]
    assert generation is not None and (generation / MANIFEST_NAME).is_file()  # the real generation is untouched too


def test_a_symlinked_generation_is_refused_and_its_target_kept(published: SmallProject, precious: Path) -> None:
    store = BulletinStore(SMALL_ID)
    generation = store.generation()
    assert generation is not None
    shutil.copytree(generation, precious, dirs_exist_ok=True)  # the outside folder looks like a generation
    moved = store.home / "moved-away"
    os.rename(generation, moved)
    os.symlink(precious, generation)  # the current generation is now a link to the outside folder
    _refused(published, generation.name)
    _intact(precious)
    assert _unsafe(published) == ["unsafe"]


def test_an_extra_symlinked_generation_is_refused_not_followed(published: SmallProject, precious: Path) -> None:
    store = BulletinStore(SMALL_ID)
    os.symlink(precious, store.home / "g0-planted")
    _refused(published, "g0-planted")
    _intact(precious)


def test_a_link_inside_the_generation_is_refused(published: SmallProject, precious: Path) -> None:
    store = BulletinStore(SMALL_ID)
    generation = store.generation()
    assert generation is not None
    os.symlink(precious / "vi" / "photo.jpg", generation / "vi" / "photo.jpg")
    _refused(published, "photo.jpg")
    _intact(precious)
    assert "unsafe" in _unsafe(published)


@pytest.mark.parametrize("bad", ["/etc/passwd", "../../x", "vi/../../../x"])
def test_a_hand_edited_record_path_is_refused_and_never_hashed(published: SmallProject, bad: str) -> None:
    store = BulletinStore(SMALL_ID)
    generation = store.generation()
    assert generation is not None
    target = Path(bad) if bad.startswith("/") else (generation / bad).resolve()
    if not bad.startswith("/"):
        target.write_text("outside the generation\n", encoding="utf-8")
    before = target.read_bytes()
    manifest = generation / MANIFEST_NAME
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["outputs"][0]["path"] = bad
    manifest.write_text(json.dumps(data), encoding="utf-8")
    message = _refused(published, bad)
    assert "Correct that entry" in message
    assert target.read_bytes() == before
    result = verify_bulletin(SMALL_ID)
    assert [f.problem for f in result.findings] == ["unsafe"] and bad in result.findings[0].detail


def test_a_record_path_through_a_link_out_is_refused(published: SmallProject, precious: Path) -> None:
    """A path that looks relative but goes through a link someone planted is refused too (links are refused first)."""
    store = BulletinStore(SMALL_ID)
    generation = store.generation()
    assert generation is not None
    os.symlink(precious, generation / "out")
    manifest = generation / MANIFEST_NAME
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["outputs"][0]["path"] = "out/keep.txt"
    manifest.write_text(json.dumps(data), encoding="utf-8")
    _refused(published, "out")
    _intact(precious)
    assert "unsafe" in _unsafe(published)


def test_after_the_link_is_removed_the_bulletin_publishes_again(published: SmallProject, precious: Path) -> None:
    """The advice of the refusal works: remove the planted link, publish again, verify clean."""
    store = BulletinStore(SMALL_ID)
    generation = store.generation()
    assert generation is not None
    store.live.unlink()
    os.symlink(precious, store.live)
    _refused(published, str(store.live))
    store.live.unlink()  # rm, not rm -r
    published.publish("a4")
    assert verify_bulletin(SMALL_ID).ok(strict=True)
    _intact(precious)


def test_the_cli_refuses_in_one_line_before_any_work(small_project: SmallProject, precious: Path) -> None:
    """``bantin publish`` with outputs/<id> linked elsewhere: exit 1, one line on stderr naming the link, no traceback, nothing touched."""
    import subprocess
    import sys

    live = small_project.outputs / SMALL_ID
    live.parent.mkdir(exist_ok=True)
    os.symlink(precious, live)
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "bantin"), "publish", SMALL_ID, "--profile", "a4", "--locale", "vi"],
        cwd=small_project.root,
        env=small_project.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in proc.stderr.splitlines() if line.startswith("bantin:")]
    assert proc.returncode == 1 and len(lines) == 1 and str(live) in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr) < 2048
    _intact(precious)
    assert sorted(p.name for p in precious.iterdir()) == sorted([MANIFEST_NAME, "keep.txt", "vi"])


def test_a_planted_index_link_is_never_written_through(published: SmallProject, precious: Path) -> None:
    """outputs/.bantin/_index replaced by a link elsewhere: the publish still commits, and nothing is written or removed there."""
    from bantin.publish.index import index_dir

    folder = index_dir(published.outputs)
    shutil.rmtree(folder, ignore_errors=True)
    os.symlink(precious, folder)
    before = sorted(p.name for p in precious.rglob("*"))
    published.edit(7)
    published.publish("a4")
    assert sorted(p.name for p in precious.rglob("*")) == before
    _intact(precious)
    assert verify_bulletin(SMALL_ID).ok()


def test_a_linked_bulletin_home_gets_no_lock_file(tmp_path: Path, precious: Path) -> None:
    """outputs/.bantin/<id> planted as a link: taking the lock is refused before the lock file is made through it."""
    outputs = tmp_path / "outputs"
    (outputs / ".bantin").mkdir(parents=True)
    os.symlink(precious, outputs / ".bantin" / SMALL_ID)
    before = sorted(p.name for p in precious.iterdir())
    with pytest.raises(UnsafeOutputError, match="outside the bulletin's own generations"), BulletinStore(SMALL_ID, outputs).locked(timeout=0):
        pass
    assert sorted(p.name for p in precious.iterdir()) == before

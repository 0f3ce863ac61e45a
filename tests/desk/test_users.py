"""The desk's users file: argon2 hashes, roles, a private file, and the last admin kept."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from bantin.desk.roles import Role
from bantin.desk.users import UserError, UserStore
from desk.conftest import FAST_HASHER, PASSWORD


def test_add_verify_and_the_file_is_private_and_holds_no_password(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "desk" / "users.json", hasher=FAST_HASHER)
    user = store.add("ha.my", PASSWORD, "editor")
    assert user.role is Role.editor and not user.disabled
    path = tmp_path / "desk" / "users.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert PASSWORD not in text and json.loads(text)["users"]["ha.my"]["hash"].startswith("$argon2id$")
    assert store.verify("ha.my", PASSWORD) == user
    assert store.verify("ha.my", PASSWORD + "x") is None
    assert store.verify("nobody", PASSWORD) is None


@pytest.mark.parametrize("name", ["A", "Hà My", "../x", "a" * 33, "-x", ""])
def test_bad_names_are_refused_in_vietnamese(tmp_path: Path, name: str) -> None:
    with pytest.raises(UserError, match="Tên đăng nhập"):
        UserStore(tmp_path / "u.json", hasher=FAST_HASHER).add(name, PASSWORD, "editor")


def test_short_password_taken_name_and_unknown_role(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "u.json", hasher=FAST_HASHER)
    with pytest.raises(UserError, match="ít nhất 10 ký tự"):
        store.add("bich", "ngan", "editor")
    store.add("bich", PASSWORD, "editor")
    with pytest.raises(UserError, match="đã có"):
        store.add("bich", PASSWORD, "editor")
    with pytest.raises(UserError, match="Vai trò"):
        store.add("lan", PASSWORD, "boss")


def test_role_password_disable_and_the_last_admin(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "u.json", hasher=FAST_HASHER)
    store.add("quantri", PASSWORD, "admin")
    store.add("bich", PASSWORD, "editor")
    assert store.set_role("bich", "approver").role is Role.approver
    store.set_password("bich", "mot-mat-khau-moi")
    assert store.verify("bich", PASSWORD) is None and store.verify("bich", "mot-mat-khau-moi") is not None
    store.disable("bich")
    assert store.verify("bich", "mot-mat-khau-moi") is None and store.get("bich").disabled  # type: ignore[union-attr]
    store.disable("bich", False)
    assert store.verify("bich", "mot-mat-khau-moi") is not None
    with pytest.raises(UserError, match="quản trị cuối cùng"):
        store.set_role("quantri", "editor")
    with pytest.raises(UserError, match="quản trị cuối cùng"):
        store.disable("quantri")
    with pytest.raises(UserError, match="Không có người dùng"):
        store.set_role("ai-do", "editor")
    assert [u.name for u in store.list()] == ["bich", "quantri"]


def test_an_old_hash_is_replaced_at_login(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    UserStore(path, hasher=FAST_HASHER).add("bich", PASSWORD, "editor")
    before = json.loads(path.read_text())["users"]["bich"]["hash"]
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    assert UserStore(path, hasher=stronger).verify("bich", PASSWORD) is not None
    after = json.loads(path.read_text())["users"]["bich"]["hash"]
    assert after != before and "m=2048,t=2" in after

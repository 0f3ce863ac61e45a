"""The desk's users: names, roles and argon2 password hashes in ``desk/users.json`` (mode 0600).

Passwords are hashed with argon2id (argon2-cffi's :class:`PasswordHasher`,
its defaults, the RFC 9106 low-memory profile); a hash made with older
parameters is replaced at the next successful login (``check_needs_rehash``).
A wrong name costs the same time as a wrong password (a dummy hash is checked),
so a login answer never tells whether a user exists.  The file is rewritten
atomically (temporary file, fsync, ``os.replace``) and stays private to the
account the desk runs as.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bantin.desk.roles import Role, parse_role
from bantin.errors import InputError

__all__ = ["MIN_PASSWORD", "User", "UserError", "UserStore", "check_name"]

#: The shortest password accepted.
MIN_PASSWORD = 10
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")


class UserError(InputError):
    """A user cannot be added or changed (bad name, short password, unknown user, last admin)."""


@dataclass(frozen=True)
class User:
    """One desk user (never carries the hash out of the store)."""

    name: str
    role: Role
    disabled: bool = False
    created_at: str = ""


def check_name(name: str) -> str:
    """``name`` if it is a valid user name (2–32 of a–z, 0–9, ``.``, ``_``, ``-``; lower case), else UserError."""
    if not _NAME_RE.match(name):
        raise UserError(
            f"Tên đăng nhập {name!r} không hợp lệ: dùng 2 đến 32 ký tự a–z, 0–9, dấu chấm, gạch dưới hoặc gạch ngang, "
            "bắt đầu bằng chữ hoặc số (ví dụ: hamy hoặc ha.my)"
        )
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"Mật khẩu quá ngắn: cần ít nhất {MIN_PASSWORD} ký tự. Hãy chọn mật khẩu dài hơn")


def _role(value: Role | str) -> Role:
    try:
        return parse_role(str(value))
    except ValueError:
        raise UserError(f"Vai trò {str(value)!r} không có: chọn editor (biên tập viên), approver (người duyệt) hoặc admin (quản trị)") from None


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class UserStore:
    """The users file at ``path`` (``desk/users.json``): add, verify, change role or password, disable, list."""

    def __init__(self, path: Path, hasher: PasswordHasher | None = None) -> None:
        self.path = path
        self.hasher = hasher or PasswordHasher()
        self._lock = threading.Lock()
        self._dummy = self.hasher.hash("bantin-desk-dummy-password")

    # ------------------------------------------------------------------ file

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise UserError(f"{self.path}: không đọc được danh sách người dùng ({exc}). Khôi phục tệp từ bản sao lưu") from None
        users = data.get("users") if isinstance(data, dict) else None
        if not isinstance(users, dict):
            raise UserError(f"{self.path}: tệp người dùng không đúng dạng (thiếu 'users'). Khôi phục tệp từ bản sao lưu")
        return users

    def _write(self, users: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"version": 1, "users": users}, f, ensure_ascii=False, indent=2, sort_keys=True)
                f.write("\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def _user(name: str, entry: dict[str, Any]) -> User:
        return User(name=name, role=Role(entry.get("role", "editor")), disabled=bool(entry.get("disabled")), created_at=str(entry.get("created_at", "")))

    # ------------------------------------------------------------------ API

    def add(self, name: str, password: str, role: Role | str) -> User:
        """A new user; UserError when the name is taken or invalid, or the password too short."""
        check_name(name)
        _check_password(password)
        role = _role(role)
        with self._lock:
            users = self._read()
            if name in users:
                raise UserError(f"Người dùng {name!r} đã có. Chọn tên khác, hoặc đổi vai trò/mật khẩu của người đó")
            users[name] = {"hash": self.hasher.hash(password), "role": role.value, "disabled": False, "created_at": _now()}
            self._write(users)
            return self._user(name, users[name])

    def get(self, name: str) -> User | None:
        """The user called ``name``, or None."""
        entry = self._read().get(name)
        return self._user(name, entry) if entry else None

    def list(self) -> list[User]:
        """Every user, by name."""
        return [self._user(n, e) for n, e in sorted(self._read().items())]

    def verify(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs and they are not disabled; None otherwise (same cost either way)."""
        entry = self._read().get(name)
        if entry is None or entry.get("disabled"):
            with contextlib.suppress(VerificationError):
                self.hasher.verify(self._dummy, password)
            return None
        try:
            self.hasher.verify(str(entry.get("hash", "")), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if self.hasher.check_needs_rehash(str(entry["hash"])):
            with self._lock:
                users = self._read()
                if name in users:
                    users[name]["hash"] = self.hasher.hash(password)
                    self._write(users)
        return self._user(name, entry)

    def _change(self, name: str, **changes: Any) -> User:
        with self._lock:
            users = self._read()
            if name not in users:
                raise UserError(f"Không có người dùng {name!r}. Kiểm tra lại tên đăng nhập")
            new = {**users[name], **changes}
            if users[name].get("role") == Role.admin and not users[name].get("disabled") and (new["role"] != Role.admin or new.get("disabled")):
                admins = [n for n, e in users.items() if e.get("role") == Role.admin and not e.get("disabled")]
                if admins == [name]:
                    raise UserError(f"{name!r} là quản trị cuối cùng: hãy thêm một quản trị khác trước khi đổi vai trò hay khóa người này")
            users[name] = new
            self._write(users)
            return self._user(name, new)

    def set_role(self, name: str, role: Role | str) -> User:
        """Give ``name`` another role (the last active admin keeps theirs)."""
        return self._change(name, role=_role(role).value)

    def set_password(self, name: str, password: str) -> User:
        """Give ``name`` a new password."""
        _check_password(password)
        return self._change(name, hash=self.hasher.hash(password))

    def disable(self, name: str, disabled: bool = True) -> User:
        """Lock ``name`` out (or let them in again); their history stays."""
        return self._change(name, disabled=disabled)

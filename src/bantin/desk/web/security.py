"""Sessions, CSRF tokens and security headers of the desk.

**Session.**  One signed cookie (itsdangerous ``URLSafeTimedSerializer`` with
``desk/secret.key``, 32 random bytes made 0600 on first use) holding the user
name and a random session nonce; HTTP-only, ``SameSite=Strict``, ``Secure``
when the request came over https, path ``/``.  It expires after
:data:`IDLE_SECONDS` without a request (the cookie is signed again, with a new
time, as it is used).  Every visitor gets one, anonymous until login; a login
gets a fresh nonce (no session fixation), a logout revokes its nonce.  The
user's role is never in the cookie: it is read from ``users.json`` on every
request, so a changed role or a disabled user counts at once.

**CSRF.**  The synchronizer-token pattern: every form carries a hidden
``csrf`` field, a token signed with the same key and tied to the session's
nonce; every POST is checked for it before anything else is done (403
otherwise).  Why not ``starlette-csrf`` (the issue's example): it compares a
cookie with an *HTTP header* (double submit), which a plain HTML form — the
desk works without JavaScript — cannot send; its form support would mean
reading the body in middleware.  A token tied to the signed session is the
same protection and needs no script.  ``SameSite=Strict`` is a second wall.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["COOKIE", "IDLE_SECONDS", "SECURITY_HEADERS", "SecurityHeaders", "Session", "SessionSigner", "load_secret"]

COOKIE = "bantin_desk"
#: A session ends after this long without a request.
IDLE_SECONDS = 12 * 3600
#: Sign the cookie again when it is older than this (sliding expiry without a Set-Cookie on every answer).
_REFRESH_SECONDS = 300

#: Every answer's headers: nothing loads from elsewhere, no inline script or style, never framed.
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; font-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def load_secret(desk_dir: Path) -> bytes:
    """``desk/secret.key``: 32 random bytes, made (mode 0600, never overwritten) on first use."""
    path = desk_dir / "secret.key"
    desk_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
        raise RuntimeError(f"{path}: the desk's key is shorter than 32 bytes. Delete the file; a new one is made (everyone logs in again)") from None
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
        f.flush()
        os.fsync(f.fileno())
    return path.read_bytes()


@dataclass(frozen=True)
class Session:
    """What the cookie says: the user (None before login), the nonce, and when it was signed."""

    user: str | None
    nonce: str
    signed_at: float = 0.0

    @property
    def stale(self) -> bool:
        return time.time() - self.signed_at > _REFRESH_SECONDS


class SessionSigner:
    """Signs and reads session cookies and CSRF tokens with the desk's key."""

    def __init__(self, secret: bytes, idle_seconds: int = IDLE_SECONDS) -> None:
        self._cookies = URLSafeTimedSerializer(secret, salt="bantin-desk-session")
        self._tokens = URLSafeTimedSerializer(secret, salt="bantin-desk-csrf")
        self.idle_seconds = idle_seconds
        self._revoked: dict[str, float] = {}

    def new(self, user: str | None = None) -> Session:
        return Session(user=user, nonce=secrets.token_urlsafe(18), signed_at=time.time())

    def read(self, request: Request) -> Session | None:
        """The request's session, or None when there is none, it is forged, expired or revoked."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data, signed = self._cookies.loads(raw, max_age=self.idle_seconds, return_timestamp=True)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("n"), str) or data["n"] in self._revoked:
            return None
        user = data.get("u")
        return Session(user=user if isinstance(user, str) else None, nonce=data["n"], signed_at=signed.timestamp())

    def revoke(self, session: Session) -> None:
        """Refuse this session's cookie from now on (logout)."""
        now = time.time()
        self._revoked = {n: t for n, t in self._revoked.items() if now - t < self.idle_seconds}
        self._revoked[session.nonce] = now

    def set_cookie(self, response: Response, request: Request, session: Session) -> None:
        response.set_cookie(
            COOKIE,
            self._cookies.dumps({"u": session.user, "n": session.nonce}),
            max_age=self.idle_seconds,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )

    def clear_cookie(self, response: Response, request: Request) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")

    # ------------------------------------------------------------------ CSRF

    def csrf_token(self, session: Session) -> str:
        """The token the session's forms carry."""
        return self._tokens.dumps(session.nonce)

    def csrf_ok(self, session: Session | None, token: object) -> bool:
        """Whether ``token`` was made for this session (constant-time comparison)."""
        if session is None or not isinstance(token, str) or not token:
            return False
        try:
            nonce = self._tokens.loads(token, max_age=self.idle_seconds)
        except BadSignature:
            return False
        return isinstance(nonce, str) and hmac.compare_digest(nonce, session.nonce)


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP answer (those a route set stay)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in have:
                        headers.append((name.lower().encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

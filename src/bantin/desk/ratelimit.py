"""Login attempts, limited per user name and per client address.

After :attr:`LoginLimiter.max_failures` failures within :attr:`window`
seconds, a key (a user name, or an address) is refused for a delay that
doubles with every further failure (1 min, 2, 4 … at most 1 h).  A refused
attempt is not even checked against the password, so guessing costs the
attacker time, not the server.  A successful login clears the user's count
(the address keeps its own: one user's success does not unlock an address
trying many names).  Held in memory: a restart forgets, which is acceptable
for a desk on the centre's own network.  The clock is injectable for tests.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["LoginLimiter", "Refusal"]


@dataclass(frozen=True)
class Refusal:
    """A refused attempt: how long to wait, and a Vietnamese sentence saying when to retry."""

    retry_after: float

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        return f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút."


@dataclass
class _Key:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0
    lockouts: int = 0


class LoginLimiter:
    """Counts failed logins per user and per address; refuses while either is locked out."""

    def __init__(
        self,
        max_failures: int = 5,
        window: float = 15 * 60,
        base_delay: float = 60.0,
        max_delay: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.clock = clock
        self._keys: dict[str, _Key] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _names(user: str, address: str) -> tuple[str, str]:
        return f"user:{user.strip().lower()}", f"addr:{address}"

    def check(self, user: str, address: str) -> Refusal | None:
        """A refusal when the user or the address is locked out now; None when the attempt may be checked."""
        now = self.clock()
        with self._lock:
            waits = [k.locked_until - now for name in self._names(user, address) if (k := self._keys.get(name)) and k.locked_until > now]
        return Refusal(max(waits)) if waits else None

    def failed(self, user: str, address: str) -> Refusal | None:
        """Count a failed attempt; the refusal it triggers, if any."""
        now = self.clock()
        refusal: Refusal | None = None
        with self._lock:
            if len(self._keys) > 10000:  # a flood of names: forget the oldest quiet keys
                for name in [n for n, k in self._keys.items() if k.locked_until < now and all(now - t > self.window for t in k.failures)]:
                    del self._keys[name]
            for name in self._names(user, address):
                key = self._keys.setdefault(name, _Key())
                recent = [t for t in key.failures if now - t < self.window]
                if not recent and key.locked_until < now - self.window:
                    key.lockouts = 0  # quiet for a whole window: start again from the shortest delay
                key.failures = [*recent, now]
                if len(key.failures) >= self.max_failures:
                    delay = min(self.max_delay, self.base_delay * 2**key.lockouts)
                    key.lockouts += 1
                    key.locked_until = now + delay
                    key.failures = key.failures[-(self.max_failures - 1) :]  # the next failure locks out again, for longer
                    refusal = Refusal(max(delay, refusal.retry_after if refusal else 0))
        return refusal

    def succeeded(self, user: str, address: str) -> None:
        """Clear the user's count after a good login."""
        with self._lock:
            self._keys.pop(self._names(user, address)[0], None)

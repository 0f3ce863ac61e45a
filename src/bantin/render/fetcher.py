"""The URL fetcher WeasyPrint uses: bantin's assets, the bulletin's asset folder and small ``data:`` URLs only.

Every refusal is recorded (``refused``) so the manifest can count it; nothing
is ever fetched over the network while rendering (SSRF protection).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher

__all__ = ["MAX_DATA_URL", "REFUSAL_MARK", "SafeFetcher"]

log = logging.getLogger("bantin.render")

#: Largest ``data:`` URL the fetcher accepts (bytes of the URL).
MAX_DATA_URL = 256 * 1024
#: Start of every refusal message; WeasyPrint's load errors that contain it are refusals, not failures.
REFUSAL_MARK = "bantin refused to fetch"


class SafeFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type information
    """Serves only files under the allowed folders and small ``data:`` URLs; refuses the rest.

    A refusal raises a (recoverable) error so WeasyPrint logs it and goes on
    rendering; ``refused`` keeps the URLs for the manifest.
    """

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = tuple(r.resolve() for r in roots)
        self.refused: list[str] = []
        #: WeasyPrint's image cache for the layouts of one render (refused and failed images are cached as None).
        self.image_cache: dict[str, Any] = {}

    def fetch(self, url: str, headers: Any = None) -> Any:
        """WeasyPrint's fetch, after checking ``url`` is allowed."""
        reason = self.refusal(url)
        if reason:
            self.refused.append(url[:200])
            log.warning("refused to fetch %s: %s", url[:200], reason)
            raise ValueError(f"{REFUSAL_MARK} {url[:80]}: {reason}")
        return super().fetch(url, headers)

    def refusal(self, url: str) -> str | None:
        """Why ``url`` is refused, or None when it may be fetched."""
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return f"data: URL larger than {MAX_DATA_URL} bytes" if len(url) > MAX_DATA_URL else None
        if scheme != "file":
            return f"{scheme}: URLs are never fetched while rendering"
        path = Path(unquote(urlsplit(url).path)).resolve()
        if any(path == root or root in path.parents for root in self.roots):
            return None
        return "outside bantin's assets and the bulletin's asset folder"

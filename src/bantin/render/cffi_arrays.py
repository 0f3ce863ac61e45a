"""Keep WeasyPrint's font subsetting from parsing a new C type for every glyph count.

WeasyPrint 70 builds HarfBuzz arrays with the length in the type string
(``ffi.new(f'hb_codepoint_t[{n}]', glyphs)``), and cffi parses every new string
with pycparser.  Each render child is a new process and each PDF's fonts have
new glyph counts, so that parsing took a fifth of a render child's CPU.  An
open array ``T[]`` given the same initializer (or length) is the same array;
its type is parsed once, in the render forkserver, before any child is forked.
Other calls go through untouched.
"""

from __future__ import annotations

import re
import threading
from typing import Any

__all__ = ["install", "installed"]

#: ``T[N]``: a one-dimensional array of a named type with a literal length.
_SIZED_ARRAY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*\[\s*(\d+)\s*\]\s*$")
_LOCK = threading.Lock()


def _open_array_new(original: Any) -> Any:
    def new(cdecl: Any, init: Any = None) -> Any:
        """``ffi.new``, with ``T[N]`` made as ``T[]`` when that gives the same array."""
        if isinstance(cdecl, str):
            sized = _SIZED_ARRAY.match(cdecl)
            if sized:
                length = int(sized.group(2))
                if init is None:
                    return original(f"{sized.group(1)}[]", length)
                if isinstance(init, (list, tuple)) and len(init) == length:
                    return original(f"{sized.group(1)}[]", init)
        return original(cdecl, init)

    new.bantin_open_arrays = True  # type: ignore[attr-defined]
    return new


def installed() -> bool:
    """Whether WeasyPrint's FFI makes sized arrays as open ones in this process."""
    from weasyprint.text.ffi import ffi

    return bool(getattr(ffi.new, "bantin_open_arrays", False))


def install() -> None:
    """Wrap ``ffi.new`` of WeasyPrint's FFI (idempotent)."""
    from weasyprint.text.ffi import ffi

    with _LOCK:
        if not installed():
            ffi.new = _open_array_new(ffi.new)

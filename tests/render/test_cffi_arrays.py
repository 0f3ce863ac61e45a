"""WeasyPrint's sized HarfBuzz arrays are made as open arrays: the same contents, one parsed C type for every length."""

from __future__ import annotations

import pytest

import bantin.render.pdf  # noqa: F401  (installs the wrapper, as every render does)
from bantin.render.cffi_arrays import installed


def test_sized_arrays_hold_the_same_values_and_parse_one_type(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.text.ffi import ffi

    assert installed()
    parsed: list[str] = []
    original = ffi._parser.parse_type
    monkeypatch.setattr(ffi._parser, "parse_type", lambda cdecl: parsed.append(cdecl) or original(cdecl))
    for length in range(1, 300, 7):
        glyphs = list(range(length, 0, -1))
        array = ffi.new(f"hb_codepoint_t[{length}]", glyphs)
        assert list(array) == glyphs and len(array) == length
        assert list(ffi.new(f"hb_tag_t[{length}]")) == [0] * length
    assert len(parsed) <= 2  # 'hb_codepoint_t[]' and 'hb_tag_t[]', each at most once


def test_other_calls_are_untouched() -> None:
    from weasyprint.text.ffi import ffi

    pointer = ffi.new("unsigned int *", 100)
    assert pointer[0] == 100
    short = ffi.new("hb_codepoint_t[4]", [7, 8])  # an initializer shorter than the array: cffi's own rules
    assert list(short) == [7, 8, 0, 0] and ffi.sizeof(short) == 16

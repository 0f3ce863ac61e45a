"""Locale configs: the shipped ones load, and a wrong field is one line naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bantin.errors import ConfigError
from bantin.i18n.locales import known_locales, load_locale
from testing_utils import SHIPPED_LOCALES


def test_shipped_locales_load() -> None:
    assert known_locales(SHIPPED_LOCALES) == ["cmo", "en", "km", "rad", "vi"]
    km = load_locale("km", SHIPPED_LOCALES)
    assert (km.bcp47, km.serif_font, km.hyphenation, km.audio_engines, km.gtts_lang, km.espeak_voice) == (
        "km",
        "Noto Serif Khmer",
        None,
        ("gtts",),
        "km",
        None,
    )
    assert load_locale("vi", SHIPPED_LOCALES).source and not km.source


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("fonts:\n  serif: Noto Serif Khmer", "fonts:\n  serif: 12"), "field 'fonts.serif': expected str, got int"),
        (("  gtts_lang: km", "  gtts_lang: [km]"), "field 'audio.gtts_lang': expected str, got list"),
        (("cldr: km", "cldr: xx-nowhere"), "field 'cldr': Babel has no CLDR locale 'xx-nowhere'"),
        (("code: km", "code: kh"), "field 'code': 'kh' does not match the folder name 'km'"),
        (("script: Khmr\n", ""), "field 'script': missing"),
    ],
)
def test_bad_field_is_one_config_error(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    text = (SHIPPED_LOCALES / "km" / "locale.yaml").read_text(encoding="utf-8")
    assert change[0] in text
    (tmp_path / "km").mkdir()
    (tmp_path / "km" / "locale.yaml").write_text(text.replace(change[0], change[1]), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_locale("km", tmp_path)
    assert str(info.value).startswith(f"{tmp_path / 'km' / 'locale.yaml'}: {message}")

"""Locale configs: what bantin knows about each language it publishes in.

Each locale is data under ``locales/<code>/locale.yaml``; adding a locale means
adding that file (and catalogs), never code.  Babel has no CLDR data for some
minority languages (M'Nông ``cmo``, Ê Đê ``rad``), so a config names the CLDR
locale it borrows date and number formats from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel import UnknownLocaleError as BabelUnknownLocaleError

from bantin.datafile import read_data_file
from bantin.errors import ConfigError, UnknownLocaleError
from bantin.paths import locale_data, locale_layers, locales_dir

__all__ = ["ISO639_2", "SOURCE_LOCALE", "LocaleConfig", "known_locales", "load_locale"]

SOURCE_LOCALE = "vi"

#: ISO 639-2 codes of the languages a reading may be spoken in (ID3's TLAN), by locale code.
ISO639_2 = {"vi": "vie", "en": "eng", "km": "khm", "fr": "fra", "zh": "zho"}


@dataclass(frozen=True)
class LocaleConfig:
    """One publishing locale."""

    code: str
    name: str
    name_vi: str
    bcp47: str
    script: str
    direction: str
    serif_font: str
    sans_font: str
    cldr: str
    hyphenation: str | None
    source: bool
    audio_engines: tuple[str, ...]
    gtts_lang: str | None
    espeak_voice: str | None
    #: the Piper voice: a path to an .onnx file, or ``package:DIST`` for a voice bundled in an installed package
    piper_voice: str | None = None

    @property
    def babel_locale(self) -> Locale:
        """The Babel locale used for dates and numbers."""
        return Locale.parse(self.cldr)

    @property
    def has_reading(self) -> bool:
        """Whether some engine can read this locale aloud."""
        return bool(self.audio_engines)

    def voice_for(self, engine: str) -> str | None:
        """The voice (language code) ``engine`` reads this locale with, or None when it has none."""
        if engine not in self.audio_engines:
            return None
        return {"espeak": self.espeak_voice, "gtts": self.gtts_lang, "piper": self.piper_voice}.get(engine)


def known_locales(root: Path | None = None) -> list[str]:
    """Codes of every locale with a config, sorted."""
    return sorted({p.parent.name for layer in locale_layers(root) for p in layer.glob("*/locale.yaml")})


def load_locale(code: str, root: Path | None = None) -> LocaleConfig:
    """Read and validate ``locales/<code>/locale.yaml``."""
    return _load_locale(code, root or locales_dir())


@lru_cache(maxsize=64)
def _load_locale(code: str, root: Path) -> LocaleConfig:
    if "/" in code or "\\" in code or code.startswith(".") or not code:
        raise UnknownLocaleError(code, known_locales(root))
    path = locale_data(f"{code}/locale.yaml", root)
    if not path.is_file():
        raise UnknownLocaleError(code, known_locales(root))
    data = read_data_file(path, f"Add locales/{code}/locale.yaml")
    fields: dict[str, object] = data if isinstance(data, dict) else {}

    def field(key: str, default: object = ..., kind: type | tuple[type, ...] = str, where: dict[str, object] = fields, name: str = "") -> object:
        value = where.get(key, default)
        if value is ...:
            raise ConfigError(f"{path}: field '{name or key}': missing. Add it (see locales/vi/locale.yaml for an example)")
        if value is not None and not isinstance(value, kind):
            raise ConfigError(f"{path}: field '{name or key}': expected {getattr(kind, '__name__', kind)}, got {type(value).__name__}. Fix the value")
        return value

    def text(key: str, default: object = ..., where: dict[str, object] = fields, name: str = "") -> str | None:
        value = field(key, default, str, where, name)
        return value if isinstance(value, str) else None

    def mapping(key: str, default: object = ...) -> dict[str, object]:
        value = field(key, default, dict)
        return value if isinstance(value, dict) else {}

    if field("code") != code:
        raise ConfigError(f"{path}: field 'code': '{fields.get('code')}' does not match the folder name '{code}'. Make them equal")
    fonts = mapping("fonts")
    audio = mapping("audio", {})
    cldr = str(field("cldr"))
    try:
        Locale.parse(cldr)
    except (BabelUnknownLocaleError, ValueError):
        raise ConfigError(f"{path}: field 'cldr': Babel has no CLDR locale '{cldr}'. Borrow a close one, e.g. 'vi'") from None
    engines = audio.get("engines") or []
    if not isinstance(engines, list):
        raise ConfigError(f"{path}: field 'audio.engines': expected a list of engine names. Write e.g. [gtts, espeak]")
    return LocaleConfig(
        code=code,
        name=str(field("name")),
        name_vi=str(field("name_vi")),
        bcp47=str(field("bcp47", code)),
        script=str(field("script")),
        direction=str(field("direction", "ltr")),
        serif_font=text("serif", None, fonts, "fonts.serif") or "Noto Serif",
        sans_font=text("sans", None, fonts, "fonts.sans") or "Noto Sans",
        cldr=cldr,
        hyphenation=text("hyphenation", None),
        source=bool(field("source", False, kind=bool)),
        audio_engines=tuple(str(e) for e in engines),
        gtts_lang=text("gtts_lang", None, audio, "audio.gtts_lang"),
        espeak_voice=text("espeak_voice", None, audio, "audio.espeak_voice"),
        piper_voice=text("piper_voice", None, audio, "audio.piper_voice"),
    )

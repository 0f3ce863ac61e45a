"""The publish plan: which variants are published and read, and why the others are not.

Plain decisions the flow applies between localize and the output stages: a
variant below the translation threshold is skipped (never failed), and a
locale no engine can read gets no reading (also a skip, not a failure): no
engine lists a voice for it, or, probed just before the readings
(:func:`unheard_readings`), no engine of the chain can speak it right now
(gTTS unreachable and espeak without a Khmer voice).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bantin.errors import EngineUnavailableError, SpeechError
from bantin.i18n.locales import LocaleConfig, load_locale
from bantin.i18n.localize import Variant, skip_reason
from bantin.publish.manifest import Skipped
from bantin.speech.engines import ENGINES, can_read, get_engine
from bantin.speech.reading import unavailable_reason

__all__ = [
    "OPERATOR_ENGINES",
    "VariantPlan",
    "drop_readings",
    "plan_variants",
    "reading_skip_reason",
    "reading_skips",
    "skips_reading",
    "unheard_readings",
]

#: Engines whose missing voice is the operator's configuration error (a voice file not found): a failure, not a skip.
OPERATOR_ENGINES = frozenset({"piper"})


def reading_skip_reason(config: LocaleConfig, engine: str, registered: Collection[str] = ENGINES) -> str | None:
    """Why no reading is made for this locale with ``engine``, or None to make one.

    A locale no engine reads (cmo, rad), or a registered engine without a voice
    for it (espeak and km), is not a failure.  An engine that is not registered
    at all is left to fail in synthesize_audio, so the typo is reported.
    """
    if not config.audio_engines:
        return f"no reading: no speech engine has a {config.code} voice"
    if engine in registered and not can_read(engine, config.audio_engines):
        return f"no reading: engine {engine} has no {config.code} voice"
    return None


def reading_skips(locales: Sequence[str], engine: str) -> dict[str, str | None]:
    """For each locale, why ``engine`` makes no reading of it (None: it reads it)."""
    return {code: reading_skip_reason(load_locale(code), engine, ENGINES) for code in locales}


@dataclass(frozen=True)
class VariantPlan:
    """What the output stages get: variants to render, locales to read, and what was left out."""

    variants: dict[str, Variant]
    readings: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    #: locale -> {"status": published|skipped, translated, fuzzy, untranslated, percent}
    translations: dict[str, dict[str, Any]]


def plan_variants(localized: Mapping[str, Variant], min_translated: float, no_reading: Mapping[str, str | None]) -> VariantPlan:
    """Apply the publish policy to the variants that localized successfully, in their given order."""
    variants: dict[str, Variant] = {}
    skipped: list[Skipped] = []
    translations: dict[str, dict[str, Any]] = {}
    for code, variant in localized.items():
        reason = skip_reason(variant, min_translated)
        translations[code] = {"status": "skipped" if reason else "published", **variant.coverage.as_dict()}
        if reason:
            skipped.append(Skipped(code, "variant", reason, variant.coverage.as_dict()))
            continue
        variants[code] = variant
        if no_reading.get(code):
            skipped.append(Skipped(code, "reading", str(no_reading[code])))
    readings = tuple(code for code in variants if not no_reading.get(code))
    return VariantPlan(variants, readings, tuple(skipped), translations)


def skips_reading(engine: str, exc: BaseException | None) -> bool:
    """Whether a reading that ended in ``exc`` is a skipped reading (no engine can speak now), not a failed one.

    :class:`EngineUnavailableError` (gTTS unreachable once retries ran out, no
    voice) is a skip; any other speech error, and a piper voice file the
    operator named but is not usable, stay failures.
    """
    return isinstance(exc, EngineUnavailableError) and engine not in OPERATOR_ENGINES


def unheard_readings(variants: Mapping[str, Variant], engine: str, voice: str | None = None, online: bool = True) -> dict[str, str]:
    """For each variant no engine of ``engine``'s chain can read right now, why (probed before the readings are scheduled)."""
    if engine in OPERATOR_ENGINES or not variants:
        return {}
    try:
        speaker = get_engine(engine, voice=voice)
    except SpeechError:
        return {}  # an unknown engine is left to fail in synthesize_audio, so the typo is reported
    reasons = {code: unavailable_reason(v, speaker, online=online) for code, v in variants.items()}
    return {code: f"no reading: {reason}" for code, reason in reasons.items() if reason}


def drop_readings(plan: VariantPlan, reasons: Mapping[str, str], variants: Mapping[str, Variant] | None = None) -> VariantPlan:
    """``plan`` without the readings of ``reasons``' locales, each recorded as a skipped reading.

    ``variants`` replace the plan's variants of those locales (localized again
    without a reading, so their PDFs do not point to an MP3 that will not exist).
    """
    if not reasons:
        return plan
    updated = {code: (variants or {}).get(code, v) for code, v in plan.variants.items()}
    return replace(
        plan,
        variants=updated,
        readings=tuple(code for code in plan.readings if code not in reasons),
        skipped=plan.skipped + tuple(Skipped(code, "reading", reason) for code, reason in reasons.items() if code in plan.variants),
    )

"""bantin's documented defaults: one place for every default a user can change.

Like WeasyPrint's ``DEFAULT_OPTIONS``, each value has its comment.  The CLI's
options, the Prefect form's parameters and the stage functions all take their
defaults from here, so they cannot drift apart.  Importing this module costs
nothing (no third-party import).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "BITRATE_RANGE_KBPS",
    "DEFAULT_BITRATE_KBPS",
    "DEFAULT_ENGINE",
    "DEFAULT_LOCALES",
    "DEFAULT_MIN_TRANSLATED",
    "DEFAULT_PAUSE_S",
    "PAUSE_RANGE_S",
]

#: MP3 bitrate of a reading, in kb/s: clear mono speech that every IP loudspeaker decoder plays.
DEFAULT_BITRATE_KBPS = 96
#: Bitrates IP loudspeaker decoders accept, in kb/s (inclusive).
BITRATE_RANGE_KBPS = (32, 192)
#: Pause after the title and between paragraphs of a reading, in seconds.
DEFAULT_PAUSE_S = 0.8
#: Pauses a reading accepts, in seconds (inclusive).
PAUSE_RANGE_S = (0.0, 10.0)
#: A translated locale is published only when at least this percent of the bulletin is translated (fuzzy counts as not).
DEFAULT_MIN_TRANSLATED = 100.0
#: The speech engine: Google's voice, falling back to espeak-ng when offline.
DEFAULT_ENGINE: Final = "auto"
#: Locales a publish makes when none are named: the source language.
DEFAULT_LOCALES = ("vi",)

"""The one exception tree of bantin.

Every error a user can cause carries a one-line message that names the file
and the field, says what is wrong and what to do next (the way httpx and gTTS
word theirs).  The CLI prints ``str(error)`` and exits non-zero; it never
shows a traceback for these.

    BantinError
    ├── InputError                  bad input from a user or an editor
    │   ├── IngestError             a raw bulletin (text or saved page) cannot be read
    │   ├── FetchError              a news page's URL cannot be fetched (network, HTTP status)
    │   │   ├── URLRefusedError         not http(s), or a host that is not a public address
    │   │   ├── TooManyRedirectsError   more redirects than the limit
    │   │   ├── PageTooLargeError       the page is larger than the size cap
    │   │   ├── FetchTimeoutError       no complete answer within the time limit
    │   │   └── NotAPageError           the answer is not an HTML page (content type)
    │   ├── BulletinValidationError a bulletin YAML breaks the model's rules
    │   ├── ProjectNotFoundError    no bantin project here: run 'bantin init'
    │   └── ConfigError             a data file under locales/ or content/ is wrong
    │       ├── UnknownLocaleError  a locale code bantin has no config for
    │       └── UnknownProfileError an output profile name that is not registered
    ├── ServerUnavailableError      the Prefect API is not reachable (not started yet, or gone)
    ├── PublishBusyError            another publish of the same bulletin held its lock too long
    ├── PublishStoppedError         the command was stopped (a signal) before a new generation was swapped in
    ├── RecordError                 a bulletin's record (manifest.json) cannot be read
    │   └── UnsafeOutputError       a link or record path leads outside the bulletin's own generations
    └── StageError                  an output stage failed while producing a file
        ├── RenderError             WeasyPrint could not produce a PDF
        └── SpeechError             an engine or ffmpeg could not produce a reading
            └── EngineUnavailableError  the engine is not installed or not reachable
                └── TransientSpeechError  a network hiccup or HTTP 429: retry later
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BantinError",
    "BulletinValidationError",
    "ConfigError",
    "EngineUnavailableError",
    "FetchError",
    "FetchTimeoutError",
    "IngestError",
    "InputError",
    "NotAPageError",
    "PageTooLargeError",
    "ProjectNotFoundError",
    "PublishBusyError",
    "PublishStoppedError",
    "RecordError",
    "RenderError",
    "ServerUnavailableError",
    "SpeechError",
    "StageError",
    "TooManyRedirectsError",
    "TransientSpeechError",
    "URLRefusedError",
    "UnknownLocaleError",
    "UnknownProfileError",
    "UnsafeOutputError",
]


class BantinError(Exception):
    """Base of every error bantin raises on purpose."""


class InputError(BantinError):
    """Input a person wrote or supplied is unusable; the message says how to fix it."""


class ProjectNotFoundError(InputError):
    """No bantin project was found: not inside a folder that ``bantin init`` made, and no ``BANTIN_ROOT``."""


class IngestError(InputError):
    """A raw scraped bulletin cannot be read (empty, binary, unknown encoding, no date)."""

    def __init__(self, path: str | Path, problem: str, hint: str) -> None:
        self.path = str(path)
        self.problem = problem
        self.hint = hint
        super().__init__(f"{self.path}: {problem}. {hint.rstrip('.')}.")


class FetchError(InputError):
    """A news page's URL could not be fetched; the message names the URL, the problem and what to do."""

    def __init__(self, url: str, problem: str, hint: str) -> None:
        self.url = url
        self.problem = problem
        self.hint = hint
        super().__init__(f"{url}: {problem}. {hint.rstrip('.')}.")


class URLRefusedError(FetchError):
    """The URL is not http(s), or a host at some redirect hop resolves to a non-public address."""


class TooManyRedirectsError(FetchError):
    """The page redirected more times than the limit allows."""


class PageTooLargeError(FetchError):
    """The page is larger than the size cap (declared or as received)."""


class FetchTimeoutError(FetchError):
    """The server did not send the whole page within the time limit."""


class NotAPageError(FetchError):
    """The server answered with something other than an HTML page (a PDF, an image, ...)."""


class BulletinValidationError(InputError):
    """A bulletin file (or mapping) breaks the model's rules at one field.

    ``field`` is a dotted path such as ``body[2].image.caption``.
    """

    def __init__(self, path: str | Path | None, field: str, problem: str, hint: str, line: int | None = None) -> None:
        self.path = str(path) if path is not None else "<bulletin>"
        self.field = field
        self.problem = problem
        self.hint = hint
        self.line = line
        where = f"{self.path}:{line}" if line else self.path
        from bantin.textutil import escape_text  # a field path holds the document's own keys: never print them raw

        super().__init__(f"{where}: field '{escape_text(field, 120)}': {problem}. {hint.rstrip('.')}.")


class ConfigError(InputError):
    """A data file that configures bantin (locale config, noise list, lexicon) is wrong."""


class UnknownLocaleError(ConfigError):
    """A locale code with no ``locales/<code>/locale.yaml``."""

    def __init__(self, code: str, known: list[str]) -> None:
        self.code = code
        self.known = sorted(known)
        super().__init__(f"unknown locale '{code}'. Known locales: {', '.join(self.known) or '(none)'}. Add locales/{code}/locale.yaml to support it.")


class UnknownProfileError(ConfigError):
    """An output profile name that is not in the profile registry."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown profile '{name}'. Known profiles: {', '.join(self.known)}.")


class ServerUnavailableError(BantinError):
    """The Prefect server bantin talks to cannot be reached; the message says how to start it."""


class StageError(BantinError):
    """An output stage failed; ``stage`` names it (render_pdf, synthesize_audio, ...)."""

    stage = "stage"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class RenderError(StageError):
    """WeasyPrint could not render a variant to PDF."""

    stage = "render_pdf"


class SpeechError(StageError):
    """A speech engine or the audio encoder failed."""

    stage = "synthesize_audio"


class EngineUnavailableError(SpeechError):
    """The speech engine is missing here or did not answer; another engine may still work."""


class TransientSpeechError(EngineUnavailableError):
    """An online engine failed in a way that may pass (connection error, timeout, HTTP 429 or 5xx).

    The Prefect task retries only these, with exponential backoff and jitter.
    """


class PublishBusyError(BantinError):
    """Another process kept publishing the same bulletin longer than ``BANTIN_LOCK_TIMEOUT``."""


class PublishStoppedError(BantinError):
    """The process is stopping (SIGINT, SIGTERM, its server gone): no new generation is swapped in any more."""


class RecordError(BantinError):
    """A bulletin's ``manifest.json`` is not a record bantin can read (corrupt, or from a newer bantin)."""


class UnsafeOutputError(RecordError):
    """``outputs/<id>``, a generation or a record path leads outside ``outputs/.bantin/<id>/``.

    Refused before any work and never followed: a publish writes and removes
    only inside the bulletin's own generations, whatever a link points to.
    """

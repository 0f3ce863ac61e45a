"""The Prefect flow ``add-bulletin`` ("Thêm bản tin"): a new bulletin from the UI alone.

The form takes exactly one source: the text pasted into a multi-line field, the
path of a saved ``.html`` news page, or a news page's URL.  The flow ingests it
(the same functions as ``bantin ingest``), saves ``content/<id>.yaml``
(idempotently: identical content changes nothing; an existing id is updated),
then publishes it with ``publish-bulletin`` as a subflow, with the same
options.  Its result and a markdown artifact give the id and the portal links.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bantin.flows.prefect_env import configure_prefect

configure_prefect()

from prefect import flow  # noqa: E402  (Prefect reads its settings at import)
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.client.schemas.objects import State  # noqa: E402
from prefect.logging import get_run_logger  # noqa: E402
from prefect.states import Failed  # noqa: E402

from bantin.content.bulletin_file import save_bulletin  # noqa: E402
from bantin.content.model import Bulletin  # noqa: E402
from bantin.defaults import DEFAULT_BITRATE_KBPS, DEFAULT_ENGINE, DEFAULT_LOCALES, DEFAULT_MIN_TRANSLATED, DEFAULT_PAUSE_S  # noqa: E402
from bantin.errors import BantinError, InputError  # noqa: E402
from bantin.flows.flow import BitrateKbps, EngineName, PauseS, Percent, ProfileName, publish_bulletin  # noqa: E402
from bantin.flows.forms import form_problem  # noqa: E402
from bantin.paths import content_dir  # noqa: E402
from bantin.publish.report import added_markdown, artifact_key, portal_links  # noqa: E402
from bantin.settings import portal_url  # noqa: E402

__all__ = ["add_bulletin", "ingest_source"]


def ingest_source(text: str = "", html_file: str = "", url: str = "", date: str = "") -> Bulletin:
    """The bulletin from exactly one of pasted ``text``, a saved page ``html_file`` or a page ``url``."""
    given = [name for name, value in (("text", text), ("html_file", html_file), ("url", url)) if value.strip()]
    if len(given) != 1:
        got = "none" if not given else " and ".join(given)
        raise InputError(
            f"add-bulletin: give exactly one source, got {got}. Paste the bulletin's text, or give the path of a saved .html page, or the URL of a news page"
        )
    day: dt.date | None = None
    if date.strip():
        try:
            day = dt.date.fromisoformat(date.strip())
        except ValueError:
            raise InputError(f"date: {date.strip()!r} is not a date. Write it as YYYY-MM-DD, or leave it empty") from None
    if text.strip():
        from bantin.content.ingest import parse_bulletin

        return parse_bulletin(text, "<pasted text>", date=day)
    if html_file.strip():
        from bantin.content.html import read_bulletin_html

        path = Path(html_file.strip()).expanduser()
        if not path.is_file():
            raise InputError(f"html_file: {path}: no such file. Give the path of a page saved as .html on the machine running bantin")
        return read_bulletin_html(path, date=day)
    from bantin.content.fetch import read_bulletin_url

    return read_bulletin_url(url.strip(), date=day)


@flow(name="add-bulletin", log_prints=False, validate_parameters=True)
def add_bulletin(
    text: str = "",
    html_file: str = "",
    url: str = "",
    date: str = "",
    locales: Sequence[str] = DEFAULT_LOCALES,
    profiles: Sequence[ProfileName] = ("a4", "a5", "large-print"),
    engine: EngineName = DEFAULT_ENGINE,
    force: bool = False,
    min_translated: Percent = DEFAULT_MIN_TRANSLATED,
    print_marks: bool = False,
    voice: str = "",
    bitrate_kbps: BitrateKbps = DEFAULT_BITRATE_KBPS,
    pause: PauseS = DEFAULT_PAUSE_S,
) -> Any:
    """Add a bulletin to content/ from pasted text, a saved news page or a URL, then publish it.

    Args:
        text: The bulletin's text, pasted (title on the first line). Give exactly one of text, html_file, url.
        html_file: Path of a news page saved as .html on the machine running bantin.
        url: The http(s) URL of a news page.
        date: The bulletin's date (YYYY-MM-DD) when its text states none.
        locales: Locale codes to publish, e.g. vi, en, km, cmo, rad.
        profiles: PDF print profiles: a4, a5, large-print.
        engine: Speech engine for the readings: auto, gtts, espeak, piper.
        force: Ignore every cache.
        min_translated: Publish a translated locale only when at least this percent is translated.
        print_marks: Add a bleed with crop marks to A4 PDFs.
        voice: Piper voice file for engine piper; leave empty otherwise.
        bitrate_kbps: MP3 bitrate in kb/s.
        pause: Pause after the title and between paragraphs, in seconds.
    """
    logger = get_run_logger()
    problem = form_problem(None, list(locales))
    try:
        if problem is not None:
            raise InputError(problem.message or "locales: unknown locale")
        bulletin = ingest_source(text, html_file, url, date)
    except BantinError as exc:
        logger.error("%s", exc)
        return Failed(message=str(exc))
    target = content_dir() / f"{bulletin.id}.yaml"
    existed = target.is_file()
    written = save_bulletin(bulletin, target)
    change = "updated" if existed and written else "unchanged" if existed else "created"
    logger.info("%s content/%s (%d blocks)", change, target.name, len(bulletin.body))
    state: State[Any] = publish_bulletin(  # type: ignore[assignment]  # prefect's overloads pick the async variant
        str(target),
        list(locales),
        list(profiles),
        engine,
        force=force,
        min_translated=min_translated,
        print_marks=print_marks,
        voice=voice,
        bitrate_kbps=bitrate_kbps,
        pause=pause,
        return_state=True,
    )
    base = portal_url()
    links = portal_links(base, bulletin.id, locales)
    published = state.is_completed()
    create_markdown_artifact(
        added_markdown(bulletin.id, bulletin.title, change, f"content/{target.name}", links, published, state.message or state.type.value),
        key=artifact_key(bulletin.id, "added"),
        description=f"Thêm bản tin {bulletin.id}",
    )
    if not published:
        return state
    return {"id": bulletin.id, "file": str(target), "change": change, "portal": links, "publish": state.result()}

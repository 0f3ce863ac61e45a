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
from pathlib import Path
from typing import Any

from bantin.flows.prefect_env import quiet_expected_failures

quiet_expected_failures()  # logging only: Prefect's settings are the entry point's (bantin's CLI sets them, or a worker's own)

from prefect import flow  # noqa: E402  (Prefect reads its settings at import)
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.client.schemas.objects import State  # noqa: E402
from prefect.logging import get_run_logger  # noqa: E402
from prefect.states import Failed  # noqa: E402

from bantin.content.bulletin_file import save_bulletin  # noqa: E402
from bantin.content.model import Bulletin  # noqa: E402
from bantin.errors import BantinError, InputError  # noqa: E402
from bantin.flows.flow import publish_bulletin  # noqa: E402
from bantin.paths import content_dir  # noqa: E402
from bantin.publish.report import added_markdown, artifact_key, portal_links  # noqa: E402
from bantin.publish.request import AddRequest  # noqa: E402
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
def add_bulletin(request: AddRequest) -> Any:
    """Add a bulletin to content/ from pasted text, a saved news page or a URL, then publish it.

    Args:
        request: Exactly one source (text, html_file, url), the bulletin's date when its text states none, and the publish options.
    """
    logger = get_run_logger()
    try:
        bulletin = ingest_source(request.text, request.html_file, request.url, request.date)
    except BantinError as exc:
        logger.error("%s", exc)
        return Failed(message=str(exc))
    target = content_dir() / f"{bulletin.id}.yaml"
    existed = target.is_file()
    written = save_bulletin(bulletin, target)
    change = "updated" if existed and written else "unchanged" if existed else "created"
    logger.info("%s content/%s (%d blocks)", change, target.name, len(bulletin.body))
    publish = request.for_bulletin(str(target))
    state: State[Any] = publish_bulletin(publish, return_state=True)  # type: ignore[assignment]  # prefect's overloads pick the async variant
    base = portal_url()
    links = portal_links(base, bulletin.id, request.locales)
    published = state.is_completed()
    create_markdown_artifact(
        added_markdown(bulletin.id, bulletin.title, change, f"content/{target.name}", links, published, state.message or state.type.value),
        key=artifact_key(bulletin.id, "added"),
        description=f"Thêm bản tin {bulletin.id}",
    )
    if not published:
        return state
    return {"id": bulletin.id, "file": str(target), "change": change, "portal": links, "publish": state.result()}

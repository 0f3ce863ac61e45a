"""The Prefect flow ``add-bulletin`` ("Thêm bản tin"): a new bulletin from the UI alone, as a DRAFT.

The form takes exactly one source: the text pasted into a multi-line field
(pasted HTML is read as a page), the path of a saved ``.html`` page or Word
document on the machine running bantin, or a news page's URL.  The flow
ingests it (the same readers as the desk's upload), saves it as a desk draft
(``desk/drafts/<id>.yaml``; an open draft of that id is updated), and renders
it into the desk's previews (``publish-bulletin`` as a subflow, with
``draft``).  Nothing goes on air: an approver publishes it from the desk (or
``bantin approve``).  Its result and a markdown artifact give the id and where
to review it.
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

from bantin.content.model import Bulletin  # noqa: E402
from bantin.desk.drafts import DraftStore  # noqa: E402
from bantin.errors import BantinError, InputError  # noqa: E402
from bantin.flows.flow import publish_bulletin  # noqa: E402
from bantin.publish.report import added_markdown, artifact_key  # noqa: E402
from bantin.publish.request import AddRequest  # noqa: E402
from bantin.settings import desk_url  # noqa: E402

#: Who the audit log names for drafts this flow makes.
ACTOR = "prefect:add-bulletin"

__all__ = ["add_bulletin", "ingest_source"]


def ingest_source(text: str = "", html_file: str = "", url: str = "", date: str = "") -> tuple[Bulletin, bytes | None, str | None]:
    """The bulletin from exactly one of pasted ``text``, a saved page or Word document ``html_file``, or a page ``url``; with the source kept."""
    given = [name for name, value in (("text", text), ("html_file", html_file), ("url", url)) if value.strip()]
    if len(given) != 1:
        got = "none" if not given else " and ".join(given)
        raise InputError(
            f"add-bulletin: give exactly one source, got {got}. "
            "Paste the bulletin's text, or give the path of a saved .html page or .docx, or the URL of a news page"
        )
    day: dt.date | None = None
    if date.strip():
        try:
            day = dt.date.fromisoformat(date.strip())
        except ValueError:
            raise InputError(f"date: {date.strip()!r} is not a date. Write it as YYYY-MM-DD, or leave it empty") from None
    if text.strip():
        from bantin.content.upload import read_pasted

        return read_pasted(text, date=day), text.encode("utf-8"), "pasted.txt"
    if html_file.strip():
        from bantin.content.upload import read_upload

        path = Path(html_file.strip()).expanduser()
        if not path.is_file():
            raise InputError(f"html_file: {path}: no such file. Give the path of a page saved as .html (or a .docx) on the machine running bantin")
        data = path.read_bytes()
        return read_upload(data, path.name, date=day), data, path.name
    from bantin.content.fetch import read_bulletin_url

    return read_bulletin_url(url.strip(), date=day), None, url.strip()


@flow(name="add-bulletin", log_prints=False, validate_parameters=True)
def add_bulletin(request: AddRequest) -> Any:
    """Add a bulletin as a desk draft from pasted text, a saved page or Word document, or a URL, and render its preview.

    Args:
        request: Exactly one source (text, html_file, url), the bulletin's date when its text states none, and the preview's options.
    """
    logger = get_run_logger()
    drafts = DraftStore()
    try:
        bulletin, source, name = ingest_source(request.text, request.html_file, request.url, request.date)
        if drafts.exists(bulletin.id):
            before = drafts.yaml_path(bulletin.id).read_bytes()
            drafts.save(bulletin.id, bulletin, ACTOR)
            change = "unchanged" if drafts.yaml_path(bulletin.id).read_bytes() == before else "updated"
        else:
            drafts.create(bulletin, source, name, ACTOR)
            change = "created"
    except BantinError as exc:
        logger.error("%s", exc)
        return Failed(message=str(exc))
    target = drafts.yaml_path(bulletin.id)
    logger.info("%s draft %s (%d blocks): waiting for approval in the desk", change, target.name, len(bulletin.body))
    preview = request.for_bulletin(str(target)).model_copy(update={"draft": True})
    state: State[Any] = publish_bulletin(preview, return_state=True)  # type: ignore[assignment]  # prefect's overloads pick the async variant
    desk = f"{desk_url()}/b/{bulletin.id}/"
    rendered = state.is_completed()
    create_markdown_artifact(
        added_markdown(bulletin.id, bulletin.title, change, f"desk/drafts/{target.name}", {"desk": desk}, rendered, state.message or state.type.value),
        key=artifact_key(bulletin.id, "added"),
        description=f"Thêm bản tin {bulletin.id} (bản nháp, chờ duyệt)",
    )
    return {"id": bulletin.id, "draft": str(target), "change": change, "desk": desk, "preview": state.result() if rendered else state.message}

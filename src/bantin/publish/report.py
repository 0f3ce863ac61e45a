"""What a run shows in the Prefect UI: the rows of its output table and its markdown summary.

Built from the record (:class:`bantin.publish.record.Record`) so the UI says exactly
what ``outputs/<id>/manifest.json`` says.  Links point to the portal when a public base URL is
set (``<base>/<id>/<path>``, the portal's URL for a file a manifest lists),
otherwise to the file on disk.  Plain Python: ``flows/tasks.py`` creates the
artifacts from these.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from bantin.errors import RecordError
from bantin.publish.record import Record, read_record

__all__ = [
    "added_markdown",
    "artifact_key",
    "compact_rows",
    "output_rows",
    "portal_links",
    "republish_markdown",
    "summary_markdown",
]


def artifact_key(bulletin_id: str, suffix: str = "") -> str:
    """``bantin-<id>[-suffix]``: Prefect artifact keys allow only lowercase letters, digits and dashes."""
    raw = f"bantin-{bulletin_id}" + (f"-{suffix}" if suffix else "")
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", raw.lower())).strip("-")


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n / 1024:.0f} KB"


def _link(bulletin_id: str, rel: str, out_dir: Path, public_url: str | None) -> str:
    if public_url:
        return f"[{rel.rsplit('/', 1)[-1]}]({public_url.rstrip('/')}/{bulletin_id}/{rel})"
    return str(out_dir / rel)


def output_rows(record: Record, out_dir: Path, public_url: str | None = None, cached: Collection[str] = ()) -> list[dict[str, str]]:
    """One row per output, failure and skip: bulletin, locale, output, status, pages or duration, size, link.

    ``cached`` holds the record paths of outputs a cache served (status ``cached``, else ``published``);
    stale outputs (kept from an earlier publish whose inputs changed since) say ``stale``.
    """
    bid = record.id
    rows = []
    for out in record.outputs:
        if out.kind == "pdf":
            extent = f"{out.pages} pages"
        elif out.kind == "audio":
            extent = f"{out.duration_s or 0:.1f} s" + (" (degraded)" if out.degraded else "")
        else:
            extent = ""
        name = out.kind + (f" {out.profile}" if out.profile else "")
        rows.append(
            {
                "bulletin": bid,
                "locale": out.locale,
                "output": name,
                "status": "stale" if out.stale else ("cached" if out.path in cached else "published"),
                "pages or duration": extent,
                "size": _size(out.bytes or 0),
                "link": _link(bid, out.path, out_dir, public_url),
            }
        )
    for f in record.failures:
        rows.append(
            {
                "bulletin": bid,
                "locale": f.locale or "",
                "output": f.stage + (f" {f.profile}" if f.profile else ""),
                "status": "failed",
                "pages or duration": "",
                "size": "",
                "link": f.reason,
            }
        )
    for s in record.skipped:
        rows.append(
            {
                "bulletin": bid,
                "locale": s["locale"],
                "output": s["what"],
                "status": "skipped",
                "pages or duration": "",
                "size": "",
                "link": s["reason"],
            }
        )
    return rows


def summary_markdown(record: Record, public_url: str | None = None) -> str:
    """Translation status and skipped locales, stale outputs, degraded readings, refused URLs, failures."""
    b = record.bulletin
    lines = [f"# {b.title}", "", f"`{b.id}` · {b.date.isoformat()} · status **{record.status}**", ""]
    if public_url:
        lines += [f"Portal: {public_url.rstrip('/')}/{b.id}/{b.language}/", ""]
    lines += ["## Locales", "", "| locale | status | translated | fuzzy | untranslated | % | title |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for code, loc in record.locales.items():
        shown = "outdated" if record.outdated(code) else loc.status
        cells = ["" if x is None else str(x) for x in (loc.translated, loc.fuzzy, loc.untranslated, loc.percent)]
        lines.append(f"| {code} | {shown} | " + " | ".join(cells) + f" | {loc.title or ''} |")
    skipped = record.skipped
    lines += ["", "## Skipped", ""] + ([f"- {s['what']} [{s['locale']}]: {s['reason']}" for s in skipped] or ["none"])
    stale = record.stale_entries()
    lines += ["", "## Stale (kept from an earlier publish; inputs changed since)", ""] + ([f"- {e.path}" for e in stale] or ["none"])
    degraded = [o for o in record.current(kind="audio") if o.degraded]
    lines += ["", "## Degraded readings", ""]
    lines += [
        f"- {o.path}: read by {'+'.join(o.read_by or [o.engine or '?'])}"
        + (f" ({o.fallback_reason})" if o.fallback_reason else " (offline voice, not broadcast quality)")
        for o in degraded
    ] or ["none"]
    kept = [(code, loc.last_good) for code, loc in record.locales.items() if loc.last_good is not None]
    lines += ["", "## Last good editions (a stage failed; the earlier outputs stay published)", ""]
    lines += [f"- [{code}] since {note.failed_at}: {note.reason}" for code, note in kept] or ["none"]
    refused = record.refused_urls
    lines += ["", f"## Refused URLs ({refused['count']})", ""] + ([f"- `{u}`" for u in refused["urls"]] or ["none"])
    if record.failures:
        lines += ["", "## Failures", ""] + [f"- {f.describe()}" for f in record.failures]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- operators' artifacts
# Links always point to the portal (bantin.settings.portal_url(): the public URL,
# else the project's own portal from bantin.toml), so they are clickable without
# setting anything.  The table names the bulletin once, in its description.


def portal_links(base: str, bulletin_id: str, locales: Collection[str]) -> dict[str, str]:
    """The portal page of each locale of a bulletin: ``<base>/<id>/<locale>/``."""
    return {code: f"{base.rstrip('/')}/{bulletin_id}/{code}/" for code in locales}


def compact_rows(record: Record, base: str, cached: Collection[str] = ()) -> list[dict[str, str]]:
    """One row per output, failure and skip, narrow enough for a 1366 px screen: no repeated id.

    Columns: locale, output, status, pages or duration, size, link
    (a short markdown link to the file on the portal; for failures and skips,
    the reason).  The bulletin's id goes in the artifact's description, once.
    """
    bid, root = record.id, base.rstrip("/")
    rows = []
    full = output_rows(record, Path("."), None, cached)
    for row, out in zip(full, record.outputs, strict=False):
        label = out.path.rsplit(".", 1)[-1].upper()
        rows.append(
            {
                "locale": row["locale"],
                "output": row["output"],
                "status": row["status"],
                "pages or duration": row["pages or duration"],
                "size": row["size"],
                "link": f"[{label}]({root}/{bid}/{out.path})",
            }
        )
    for row in full[len(record.outputs) :]:
        rows.append(
            {
                "locale": row["locale"],
                "output": row["output"],
                "status": row["status"],
                "pages or duration": "",
                "size": "",
                "link": row["link"],
            }
        )
    return rows


def added_markdown(bulletin_id: str, title: str, change: str, file: str, links: Mapping[str, str], published: bool, outcome: str = "") -> str:
    """The ``add-bulletin`` artifact: the id, what happened to the draft, its preview, and where to review it (``links``)."""
    said = {
        "created": "Bản nháp mới đã được tạo (created).",
        "updated": "Bản nháp với mã này đã có: đã cập nhật nội dung (updated).",
        "unchanged": "Bản nháp với mã này đã có, nội dung giống hệt: không thay đổi gì (unchanged).",
    }[change]
    lines = [f"# {title}", "", f"Mã bản tin (id): `{bulletin_id}`", "", f"{said} Tệp: `{file}`", ""]
    lines += ["Bản nháp chưa lên sóng: người duyệt xuất bản nó trên bàn biên tập.", ""]
    lines += ["## Bản xem trước (preview)", "", "đã tạo (rendered)" if published else f"**thất bại (failed)**: {outcome}", ""]
    lines += ["## Bàn biên tập (desk)", ""] + [f"- [{code}: {url}]({url})" for code, url in links.items()]
    return "\n".join(lines) + "\n"


def republish_markdown(
    republished: Collection[Mapping[str, Any]],
    unchanged: Collection[str],
    failures: Collection[str],
    base: str,
    outputs: Path | None = None,
) -> str:
    """The parent ``republish`` run's summary: what was republished and why, fallbacks, skips, failures.

    ``republished`` items hold ``id`` and ``reasons``; with ``outputs`` (the
    outputs folder), each bulletin's record adds its fallbacks and skips.
    """
    lines = ["# Republish", "", f"{len(republished)} republished, {len(unchanged)} unchanged, {len(failures)} failed", ""]
    lines += ["## Republished", ""]
    fallbacks: list[str] = []
    skips: list[str] = []
    for item in republished:
        bid = item["id"]
        lines.append(f"- [{bid}]({base.rstrip('/')}/{bid}/): {'; '.join(item.get('reasons', ())) or 'forced'}")
        if item.get("heal"):
            lines.append(f"  - {item['heal']}")
        record = _read(outputs / bid) if outputs is not None else None
        for out in record.current(kind="audio") if record is not None else []:
            if out.degraded:
                why = out.fallback_reason or "offline voice, not broadcast quality"
                fallbacks.append(f"- {bid} [{out.locale}]: read by {'+'.join(out.read_by or [out.engine or '?'])} ({why})")
        skips += [f"- {bid} [{s['locale']}] {s['what']}: {s['reason']}" for s in (record.skipped if record is not None else [])]
    if not republished:
        lines.append("none")
    lines += ["", "## Fallbacks (degraded readings)", ""] + (fallbacks or ["none"])
    lines += ["", "## Skipped", ""] + (skips or ["none"])
    lines += ["", "## Failures", ""] + ([f"- {f}" for f in failures] or ["none"])
    lines += ["", "## Unchanged", ""] + ([f"- {u}" for u in unchanged] or ["none"])
    return "\n".join(lines) + "\n"


def _read(out_dir: Path) -> Record | None:
    """A bulletin's record, or None when it has none or it cannot be read."""
    try:
        return read_record(out_dir)
    except RecordError:
        return None

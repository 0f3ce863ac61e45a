"""What a run shows in the Prefect UI: the rows of its output table and its markdown summary.

Built from the record (:class:`bantin.publish.record.Record`) so the UI says exactly
what ``outputs/<id>/manifest.json`` says.  Links point to the portal when a public base URL is
set (``<base>/<id>/<path>``, the portal's URL for a file a manifest lists),
otherwise to the file on disk.  Plain Python: ``flows/tasks.py`` creates the
artifacts from these.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from bantin.publish.record import Record

__all__ = ["artifact_key", "output_rows", "summary_markdown"]


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


def output_rows(
    record: Record, out_dir: Path, public_url: str | None = None, cached: Collection[str] = ()
) -> list[dict[str, str]]:
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
        rows.append({
            "bulletin": bid,
            "locale": out.locale,
            "output": name,
            "status": "stale" if out.stale else ("cached" if out.path in cached else "published"),
            "pages or duration": extent,
            "size": _size(out.bytes or 0),
            "link": _link(bid, out.path, out_dir, public_url),
        })
    for f in record.failures:
        rows.append({
            "bulletin": bid, "locale": f.locale or "", "output": f.stage + (f" {f.profile}" if f.profile else ""),
            "status": "failed", "pages or duration": "", "size": "", "link": f.reason,
        })
    for s in record.skipped:
        rows.append({
            "bulletin": bid, "locale": s["locale"], "output": s["what"], "status": "skipped",
            "pages or duration": "", "size": "", "link": s["reason"],
        })
    return rows


def summary_markdown(record: Record, public_url: str | None = None) -> str:
    """Translation status and skipped locales, stale outputs, degraded readings, refused URLs, failures."""
    b = record.bulletin
    lines = [f"# {b.title}", "", f"`{b.id}` · {b.date.isoformat()} · status **{record.status}**", ""]
    if public_url:
        lines += [f"Portal: {public_url.rstrip('/')}/{b.id}/{b.language}/", ""]
    lines += ["## Locales", "", "| locale | status | translated | fuzzy | untranslated | % | title |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
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
    refused = record.refused_urls
    lines += ["", f"## Refused URLs ({refused['count']})", ""] + ([f"- `{u}`" for u in refused["urls"]] or ["none"])
    if record.failures:
        lines += ["", "## Failures", ""] + [f"- {f.describe()}" for f in record.failures]
    return "\n".join(lines) + "\n"

"""What a run shows in the Prefect UI: the rows of its output table and its markdown summary.

Built from a manifest (``outputs/<id>/manifest.json``) so the UI says exactly
what the manifest says.  Links point to the portal when a public base URL is
set (``<base>/<id>/<path>``, the portal's URL for a file a manifest lists),
otherwise to the file on disk.  Plain Python: ``flows/tasks.py`` creates the
artifacts from these.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

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
    manifest: Mapping[str, Any], out_dir: Path, public_url: str | None = None, cached: Collection[str] = ()
) -> list[dict[str, str]]:
    """One row per output, failure and skip: bulletin, locale, output, status, pages or duration, size, link.

    ``cached`` holds the manifest paths of outputs a cache served (status ``cached``, else ``published``).
    """
    bid = manifest["bulletin"]["id"]
    rows = []
    for out in manifest["outputs"]:
        if out["kind"] == "pdf":
            extent = f"{out['pages']} pages"
        elif out["kind"] == "audio":
            extent = f"{out['duration_s']:.1f} s" + (" (degraded)" if out.get("degraded") else "")
        else:
            extent = ""
        name = out["kind"] + (f" {out['profile']}" if out.get("profile") else "")
        rows.append({
            "bulletin": bid,
            "locale": out["locale"],
            "output": name,
            "status": "cached" if out["path"] in cached else "published",
            "pages or duration": extent,
            "size": _size(out["bytes"]),
            "link": _link(bid, out["path"], out_dir, public_url),
        })
    for f in manifest.get("failures", []):
        rows.append({
            "bulletin": bid, "locale": f.get("locale") or "", "output": f"{f['stage']}" + (f" {f['profile']}" if f.get("profile") else ""),
            "status": "failed", "pages or duration": "", "size": "", "link": f["reason"],
        })
    for s in manifest.get("skipped", []):
        rows.append({
            "bulletin": bid, "locale": s["locale"], "output": s["what"], "status": "skipped",
            "pages or duration": "", "size": "", "link": s["reason"],
        })
    return rows


def summary_markdown(manifest: Mapping[str, Any], public_url: str | None = None) -> str:
    """Translation status and skipped locales, degraded readings, refused URLs, failures."""
    b = manifest["bulletin"]
    lines = [f"# {b['title']}", "", f"`{b['id']}` · {b['date']} · status **{manifest['status']}**", ""]
    if public_url:
        lines += [f"Portal: {public_url.rstrip('/')}/{b['id']}/{b.get('language', 'vi')}/", ""]
    lines += ["## Translations", "", "| locale | status | translated | fuzzy | untranslated | % |", "| --- | --- | --- | --- | --- | --- |"]
    for code, t in manifest.get("translations", {}).items():
        lines.append(
            f"| {code} | {t.get('status', '')} | {t.get('translated', '')} | {t.get('fuzzy', '')} | {t.get('untranslated', '')} | {t.get('percent', '')} |"
        )
    skipped = manifest.get("skipped", [])
    lines += ["", "## Skipped", ""] + ([f"- {s['what']} [{s['locale']}]: {s['reason']}" for s in skipped] or ["none"])
    degraded = [o for o in manifest["outputs"] if o["kind"] == "audio" and o.get("degraded")]
    lines += ["", "## Degraded readings", ""]
    lines += [
        f"- {o['path']}: read by {'+'.join(o.get('read_by') or [o['engine']])}"
        + (f" ({o['fallback_reason']})" if o.get("fallback_reason") else " (offline voice, not broadcast quality)")
        for o in degraded
    ] or ["none"]
    refused = manifest.get("refused_urls", {})
    lines += ["", f"## Refused URLs ({refused.get('count', 0)})", ""] + ([f"- `{u}`" for u in refused.get("urls", [])] or ["none"])
    failures = manifest.get("failures", [])
    if failures:
        where = lambda f: "/".join(x for x in (f.get("locale"), f.get("profile")) if x)  # noqa: E731
        lines += ["", "## Failures", ""] + [f"- {f['stage']} [{where(f)}]: {f['reason']}" for f in failures]
    return "\n".join(lines) + "\n"

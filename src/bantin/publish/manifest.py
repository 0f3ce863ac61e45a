"""Publish: one run's results (PDFs, readings, skips, failures) as the part of the record it owns.

:func:`build_run_record` turns the stage results into :class:`bantin.publish.record.Record`
entries (each with the inputs key it was made from) and locale statuses;
:func:`bantin.publish.record.merge` folds that into the bulletin's record and
:mod:`bantin.publish.store` swaps it in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bantin import __version__
from bantin.braille import BrailleResult
from bantin.content.model import Bulletin
from bantin.epub import EpubResult
from bantin.fsutil import sha256_file
from bantin.i18n.localize import Variant
from bantin.publish.record import (
    MANIFEST_NAME,
    BulletinHead,
    Entry,
    EntryInputs,
    FailureNote,
    LocaleRecord,
    LocaleStatusName,
    Loudness,
    Part,
    Record,
    SourceRef,
    generation_time,
)
from bantin.publish.request import PublishOptions
from bantin.render.jobs import RenderResult
from bantin.speech.reading import ReadingResult

__all__ = ["BRAILLE_KINDS", "MANIFEST_NAME", "Failure", "RunInputs", "RunOutputs", "RunSource", "Skipped", "build_run_record"]

#: Record kinds of the braille stage, with their media types.
BRAILLE_KINDS = {"braille-brf": "application/x-brf", "braille-pef": "application/x-pef+xml"}
EPUB_MEDIA_TYPE = "application/epub+zip"


#: A stage that did not produce its output, and why (the record's own note).
Failure = FailureNote


@dataclass(frozen=True)
class Skipped:
    """An output left out on purpose (publish policy, no voice): not a failure.

    ``what`` is ``variant`` (the locale's PDFs and reading), ``reading``, ``braille`` or ``epub``;
    ``coverage`` holds the bulletin catalog's counts when known.
    """

    locale: str
    what: str
    reason: str
    coverage: Mapping[str, float | int] | None = None

    def describe(self) -> str:
        return f"{self.what} [{self.locale}]: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"locale": self.locale, "what": self.what, "reason": self.reason, **dict(self.coverage or {})}


@dataclass(frozen=True)
class RunInputs:
    """The current inputs of a bulletin's outputs (:func:`bantin.publish.keys.run_inputs`): the parts of every entry's key."""

    source: str
    templates: str
    bulletin_assets: str
    bantin: str
    catalogs: Mapping[str, str] = field(default_factory=dict)

    def shared(self, locale: str) -> tuple[str, str, str, str, str]:
        return (self.source, self.catalogs.get(locale, ""), self.templates, self.bulletin_assets, self.bantin)

    def for_entry(self, locale: str, options: Mapping[str, Any]) -> EntryInputs:
        from bantin.publish.keys import digest

        shared = self.shared(locale)
        return EntryInputs(
            key=digest(shared, dict(options)),
            source=shared[0],
            catalog=shared[1],
            templates=shared[2],
            bulletin_assets=shared[3],
            bantin=shared[4],
            options=dict(options),
        )


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _file_entry(
    path: Path, root: Path, kind: str, locale: str, profile: str | None, media_type: str, inputs: EntryInputs, sha256: str | None = None, **details: Any
) -> Entry:
    size, mtime = _stat(path)
    return Entry(
        path=path.relative_to(root).as_posix(),
        kind=kind,
        locale=locale,
        profile=profile,
        media_type=media_type,
        bytes=size,
        sha256=sha256 or sha256_file(path),
        mtime_ns=mtime,
        inputs=inputs,
        **details,
    )


def _pdf_entries(r: RenderResult, root: Path, inputs: EntryInputs) -> list[Entry]:
    pdf = _file_entry(
        r.path,
        root,
        "pdf",
        r.locale,
        r.profile,
        "application/pdf",
        inputs,
        r.sha256,
        pages=r.pages,
        print_marks=r.print_marks,
        refused_urls=list(r.refused_urls),
    )
    if r.preview is None or not r.preview.is_file():
        return [pdf]
    return [pdf, _file_entry(r.preview, root, "preview", r.locale, r.profile, "image/png", inputs, preview_of=pdf.path)]


def _reading_entries(r: ReadingResult, root: Path, inputs: EntryInputs) -> list[Entry]:
    loud = r.loudness
    audio = _file_entry(
        r.path,
        root,
        "audio",
        r.locale,
        None,
        "audio/mpeg",
        inputs,
        r.sha256,
        duration_s=r.duration_s,
        bitrate_kbps=r.bitrate_kbps,
        engine=r.engine,
        read_by=list(r.read_by),
        voice=r.voice,
        degraded=r.degraded,
        fallback_reason=r.fallback_reason,
        loudness=Loudness(integrated_lufs=loud.integrated_lufs, true_peak_dbtp=loud.true_peak_dbtp, lra_lu=loud.lra_lu) if loud else None,
        parts=[Part(start_s=round(s.start, 3), end_s=round(s.end, 3), engine=s.engine, voice=s.voice, lang=s.lang) for s in r.segments],
        languages=list(r.languages) or None,
    )
    out = [audio]
    for path, kind, media_type in ((r.transcript, "transcript", "text/plain; charset=utf-8"), (r.captions, "captions", "text/vtt")):
        if path is not None and path.is_file():
            out.append(_file_entry(path, root, kind, r.locale, None, media_type, inputs, of=audio.path))
    return out


def _braille_entries(r: BrailleResult, root: Path, inputs: EntryInputs) -> list[Entry]:
    out = []
    for path, sha, kind in ((r.brf, r.brf_sha256, "braille-brf"), (r.pef, r.pef_sha256, "braille-pef")):
        if path is not None and path.is_file():
            tables = dict(r.tables) or None
            out.append(_file_entry(path, root, kind, r.locale, None, BRAILLE_KINDS[kind], inputs, sha or None, pages=r.pages or None, tables=tables))
    return out


def _no_output(code: str, what: str, skips: Mapping[tuple[str, str], Skipped], mine: Sequence[Entry], status: str) -> str | None:
    """Why the published locale has no braille / EPUB (a skip's reason), or None (it has one, or was not asked for)."""
    if status != "published" or any(e.kind.startswith(what) for e in mine):
        return None
    skip = skips.get((code, what))
    return skip.reason if skip else None


def _int(value: float | int | None) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True)
class RunOutputs:
    """What one run's stages produced, skipped and failed, for the ``locales`` it was asked for.

    ``variants`` (every locale that localized, published or skipped) give each
    locale its title and date text.
    """

    locales: Sequence[str]
    pdfs: Sequence[RenderResult] = ()
    readings: Sequence[ReadingResult] = ()
    braille: Sequence[BrailleResult] = ()
    epubs: Sequence[EpubResult] = ()
    failures: Sequence[Failure] = ()
    skipped: Sequence[Skipped] = ()
    variants: Mapping[str, Variant] = field(default_factory=dict)


@dataclass(frozen=True)
class RunSource:
    """The bulletin a run published, its YAML file, the folder its outputs are in, and what they depend on.

    ``run_inputs`` give every entry its inputs key; ``inputs`` are the publish's
    own (:func:`bantin.publish.keys.publish_inputs`), which republish compares.
    """

    bulletin: Bulletin
    path: Path
    out_dir: Path
    run_inputs: RunInputs | None = None
    inputs: Mapping[str, Any] | None = None


def build_run_record(source: RunSource, outputs: RunOutputs, request: PublishOptions | None = None) -> Record:
    """This run's part of the record: its entries (files in ``source.out_dir``) and the status of each of its locales.

    A braille or EPUB result that was skipped (no table, no reading) becomes the
    locale's ``no_braille`` / ``no_epub`` reason, never a failure.  The
    ``request``'s options are part of each entry's inputs, and the record keeps it.
    """
    bulletin, out_dir, variants, failures = source.bulletin, source.out_dir, outputs.variants, list(outputs.failures)
    run_inputs = source.run_inputs or RunInputs("", "", "", __version__)
    pdf_options = request.pdf_options() if request is not None else {}
    reading_options = request.reading_options() if request is not None else {}
    entries: list[Entry] = []
    for r in outputs.pdfs:
        opts = {"kind": "pdf", "profile": r.profile, **pdf_options}
        entries += _pdf_entries(r, out_dir, run_inputs.for_entry(r.locale, opts))
    for m in outputs.readings:
        opts = {"kind": "audio", **reading_options}
        entries += _reading_entries(m, out_dir, run_inputs.for_entry(m.locale, opts))
    skipped = list(outputs.skipped)
    for b in outputs.braille:
        if b.skipped:
            skipped.append(Skipped(b.locale, "braille", b.skipped))
        else:
            entries += _braille_entries(b, out_dir, run_inputs.for_entry(b.locale, {"kind": "braille", "table": b.table}))
    for e in outputs.epubs:
        if e.skipped or e.path is None:
            skipped.append(Skipped(e.locale, "epub", e.skipped or "no EPUB was made"))
        elif e.path.is_file():
            opts = {"kind": "epub", **reading_options}
            entries.append(
                _file_entry(
                    e.path, out_dir, "epub", e.locale, None, EPUB_MEDIA_TYPE, run_inputs.for_entry(e.locale, opts), e.sha256 or None, duration_s=e.duration_s
                )
            )
    skips = {(s.locale, s.what): s for s in skipped}
    states: dict[str, LocaleRecord] = {}
    for code in outputs.locales:
        v = variants.get(code)
        skip = skips.get((code, "variant"))
        cov = v.coverage.as_dict() if v is not None else dict(skip.coverage or {}) if skip else {}
        mine = [e for e in entries if e.locale == code]
        failed = [f for f in failures if f.locale == code]
        reading = next((e.path for e in mine if e.kind == "audio"), None)
        status: LocaleStatusName
        reason: str | None
        if (code, "variant") in skips:
            status, reason = "skipped", skips[(code, "variant")].reason
        elif mine:
            status, reason = "published", ("; ".join(f.describe() for f in failed) or None)
        else:
            status, reason = "failed", ("; ".join(f.describe() for f in failed) or "nothing was produced")
        no_reading = None
        if reading is None:
            if (code, "reading") in skips:
                no_reading = skips[(code, "reading")].reason
            elif status == "skipped":
                no_reading = "the locale is not published"
            else:
                no_reading = next((f.reason for f in failed if f.stage == "synthesize_audio"), None) or "no reading was made"
        states[code] = LocaleRecord(
            code=code,
            status=status,
            reason=reason,
            title=v.bulletin.title if v is not None else (bulletin.title if code == bulletin.language else None),
            date_text=v.date_text if v is not None else None,
            reading=reading,
            no_reading=no_reading,
            no_braille=_no_output(code, "braille", skips, mine, status),
            no_epub=_no_output(code, "epub", skips, mine, status),
            translated=_int(cov.get("translated")),
            fuzzy=_int(cov.get("fuzzy")),
            untranslated=_int(cov.get("untranslated")),
            percent=float(cov["percent"]) if "percent" in cov else None,
        )
    return Record(
        bulletin=BulletinHead(id=bulletin.id, title=bulletin.title, date=bulletin.date, language=bulletin.language),
        source=SourceRef(path=source.path.name, sha256=sha256_file(source.path)),
        bantin_version=__version__,
        generated_at=generation_time(),
        inputs=dict(source.inputs) if source.inputs else None,
        request=request.model_dump(mode="json") if request is not None else None,
        locales=states,
        outputs=sorted(entries, key=lambda e: e.path),
        failures=list(failures),
    )

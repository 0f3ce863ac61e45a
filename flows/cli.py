"""The ``bantin`` command line: ingest, publish, normalize.

Errors a user can fix print one line (``bantin: error: ...``) and exit 2;
failed output stages exit 1 after naming the stage and the reason.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from . import __version__
from .errors import BantinError, InputError
from .paths import content_dir

__all__ = ["main"]


def _fail(exc: BantinError) -> None:
    click.echo(f"bantin: error: {exc}", err=True)
    sys.exit(2 if isinstance(exc, InputError) else 1)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bantin")
def cli() -> None:
    """bantin: publish news bulletins as localized, accessible PDFs and loudspeaker readings."""


@cli.command()
@click.argument("raw", type=click.Path(path_type=Path, dir_okay=True))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Where to write the YAML (default: content/<id>.yaml).")
@click.option("--date", "date_", type=click.DateTime(formats=["%Y-%m-%d"]), help="The bulletin's date, when the text states none.")
def ingest(raw: Path, output: Path | None, date_: dt.datetime | None) -> None:
    """Structure a scraped bulletin RAW (text file) into content/<id>.yaml."""
    from .bulletin_file import save_bulletin
    from .ingest import read_bulletin

    try:
        bulletin = read_bulletin(raw, date=date_.date() if date_ else None)
    except BantinError as exc:
        _fail(exc)
    target = output or content_dir() / f"{bulletin.id}.yaml"
    written = save_bulletin(bulletin, target)
    counts = {}
    for block in bulletin.body:
        counts[block.kind] = counts.get(block.kind, 0) + 1
    detail = ", ".join(f"{n} {k}{'s' if n > 1 else ''}" for k, n in counts.items())
    click.echo(f"{'created' if written else 'unchanged'}: {_rel(target)} ({bulletin.date.isoformat()}, {detail})")


def _resolve_bulletin(ref: str) -> Path:
    """A bulletin given as a path, or as an id under content/."""
    path = Path(ref)
    if path.is_file():
        return path
    candidate = content_dir() / f"{ref}.yaml"
    if candidate.is_file():
        return candidate
    known = sorted(p.stem for p in content_dir().glob("*.yaml") if p.name != "noise.yaml")
    raise InputError(f"{ref}: no such bulletin file or id. Known ids in {_rel(content_dir())}: {', '.join(known) or '(none)'}")


@cli.command()
@click.argument("bulletin")
@click.option("--locale", "locales", multiple=True, default=("vi",), show_default=True, help="Locale to publish (repeat for several).")
@click.option("--profile", "profiles", multiple=True, default=("a4",), show_default=True, help="PDF profile (repeat for several).")
@click.option(
    "--engine", type=click.Choice(["auto", "gtts", "espeak", "piper"]), default="auto", show_default=True,
    help="Speech engine: gtts (online, broadcast voice), espeak (offline fallback, degraded), auto (gtts, else espeak), piper (--voice).",
)
@click.option("--voice", type=click.Path(path_type=Path, dir_okay=False), help="Piper voice file (.onnx, with its .onnx.json beside it), for --engine piper.")
@click.option("--bitrate", type=click.IntRange(32, 192), default=96, show_default=True, help="MP3 bitrate in kb/s (IP loudspeaker decoders accept up to 192).")
@click.option("--pause", type=click.FloatRange(0, 10), default=0.8, show_default=True, help="Pause after the title and between paragraphs, in seconds.")
def publish(
    bulletin: str, locales: tuple[str, ...], profiles: tuple[str, ...], engine: str, voice: Path | None, bitrate: int, pause: float
) -> None:
    """Run the Prefect flow publish-bulletin on BULLETIN (a YAML path or an id in content/)."""
    from .bulletin_file import load_bulletin
    from .locales import load_locale
    from .render import get_profile

    try:
        source = _resolve_bulletin(bulletin)
        load_bulletin(source)  # fail fast, with the one-line message, before Prefect starts
        for code in locales:
            load_locale(code)
        for name in profiles:
            get_profile(name)
    except BantinError as exc:
        _fail(exc)

    from .flow import PublishFailed, publish_bulletin

    click.echo(f"publishing {_rel(source)} (locales: {', '.join(locales)}; profiles: {', '.join(profiles)}; engine: {engine})", err=True)
    try:
        summary = publish_bulletin(str(source), list(locales), list(profiles), engine, str(voice) if voice else None, bitrate, pause)
    except PublishFailed as exc:
        click.echo(f"bantin: publish failed; outputs that succeeded are listed in {_rel(exc.manifest_path)}", err=True)
        for failure in exc.failures:
            click.echo(f"  failed {failure.describe()}", err=True)
        sys.exit(1)
    except BantinError as exc:
        _fail(exc)
    manifest = Path(summary["manifest"])
    click.echo(f"outputs in {_rel(manifest.parent)}/")
    for out in summary["outputs"]:
        if out["kind"] == "pdf":
            extra = f"{out['pages']} pages"
        elif out["kind"] == "audio":
            loud = out.get("loudness") or {}
            extra = (
                f"{out['duration_s']:.1f} s, {'+'.join(out.get('read_by') or [out['engine']])}"
                f"{' (degraded)' if out.get('degraded') else ''}, {loud.get('integrated_lufs')} LUFS, {loud.get('true_peak_dbtp')} dBTP"
            )
        else:
            extra = out["kind"]
        click.echo(f"  {out['path']:<60} {out['bytes']:>9} bytes  {extra}")
    click.echo(f"manifest: {_rel(manifest)}")


@cli.command()
@click.argument("text", required=False)
def normalize(text: str | None) -> None:
    """Print exactly what the speech engine will read for TEXT (or standard input)."""
    from .speech.normalize import normalize as normalize_text

    source = text if text is not None else sys.stdin.read()
    try:
        for line in source.splitlines() or [""]:
            click.echo(normalize_text(line))
    except BantinError as exc:
        _fail(exc)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="bantin")


if __name__ == "__main__":  # pragma: no cover
    main()

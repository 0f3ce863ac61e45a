"""The ``bantin`` command line: init, ingest, publish, verify, i18n, normalize, portal, serve.

Errors a user can fix print one line (``bantin: error: ...``) and exit 2;
failed output stages exit 1 after naming the stage and the reason.  A genuine
bug prints one line too, with the path of a log file that holds the traceback.
Heavy libraries (WeasyPrint, Prefect, Babel) are imported inside the commands,
so ``bantin --help`` starts at once.
"""

from __future__ import annotations

import datetime as dt
import errno
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from bantin import __version__
from bantin.defaults import (
    BITRATE_RANGE_KBPS,
    DEFAULT_BITRATE_KBPS,
    DEFAULT_ENGINE,
    DEFAULT_LOCALES,
    DEFAULT_MIN_TRANSLATED,
    DEFAULT_PAUSE_S,
    PAUSE_RANGE_S,
)

if TYPE_CHECKING:
    from bantin.i18n.catalogs import CatalogChange
    from bantin.publish.record import Record
from bantin.errors import BantinError, InputError
from bantin.paths import content_dir
from bantin.render.profiles import PROFILES
from bantin.speech.engines import ENGINES

__all__ = ["main"]


def _fail(exc: BantinError) -> None:
    click.echo(f"bantin: error: {exc}", err=True)
    sys.exit(2 if isinstance(exc, InputError) else 1)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _rel_link(path: Path) -> str:
    """Like :func:`_rel`, without resolving the link ``outputs/<id>`` to its generation folder."""
    import os

    rel = os.path.relpath(path.absolute(), Path.cwd())
    return str(path) if rel.startswith("..") else rel


#: Commands that work outside a project.
_PROJECTLESS = frozenset({"init", "normalize"})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bantin")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """bantin: publish news bulletins as localized, accessible PDFs and loudspeaker readings.

    Every command but init and normalize works in a project: the folder that
    'bantin init' made (found upwards from here, as git finds .git) or BANTIN_ROOT.
    """
    if ctx.invoked_subcommand not in _PROJECTLESS and not ctx.resilient_parsing and "--help" not in sys.argv[1:] and "-h" not in sys.argv[1:]:
        from bantin.settings import project_root

        project_root()  # one line saying to run 'bantin init' when there is no project


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--centre", default=None, help="The communication centre's name (feeds, covers, PDF metadata); asked for on a terminal.")
@click.option("--public-url", default=None, help="Absolute base URL of the public portal, for feed links and QR codes; asked for on a terminal.")
@click.option("--feed-author", default=None, help="Author of the podcast feeds (default: the centre's name); asked for on a terminal.")
def init(folder: Path, centre: str | None, public_url: str | None, feed_author: str | None) -> None:
    """Make FOLDER (default: here) a bantin project: content/, locales/, outputs/, deployments.yaml, bantin.toml.

    On a terminal, the centre's name, the portal's public URL and the feeds' author
    are asked for when not given (Enter leaves one empty); scripts are never asked.
    """
    from bantin.project import init_project
    from bantin.settings import MARKER

    if _interactive() and not (folder / MARKER).exists():
        if centre is None:
            centre = click.prompt("Tên trung tâm (centre's name, on covers and feeds)", default="", show_default=False)
        if public_url is None:
            public_url = click.prompt("Địa chỉ cổng tải công khai (public URL, e.g. https://bantin.example.org)", default="", show_default=False)
        if feed_author is None:
            feed_author = click.prompt("Tác giả podcast (feed author; Enter: the centre's name)", default="", show_default=False)
    try:
        changes = init_project(folder, centre=(centre or "").strip(), public_url=(public_url or "").strip(), feed_author=(feed_author or "").strip())
    except BantinError as exc:
        _fail(exc)
    for change in changes:
        click.echo(f"{change.action:<10} {_rel(change.path)}")
    created = sum(1 for c in changes if c.action == "create")
    click.echo(
        f"bantin project in {_rel(folder.resolve())}/ ({created} created). Next: cd {_rel(folder.resolve())} && "
        "bantin ingest content/raw/dan-van-quy-ii-2024.txt"
    )


@cli.command()
@click.argument("raw")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Where to write the YAML (default: content/<id>.yaml).")
@click.option("--date", "date_", type=click.DateTime(formats=["%Y-%m-%d"]), help="The bulletin's date, when the text states none.")
def ingest(raw: str, output: Path | None, date_: dt.datetime | None) -> None:
    """Structure a scraped bulletin RAW into content/<id>.yaml.

    RAW is a text file, a news page saved as .html/.htm, or the page's http(s):// URL.
    """
    from bantin.content.bulletin_file import save_bulletin

    date = date_.date() if date_ else None
    try:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", raw):  # a URL (fetch refuses all but http and https)
            from bantin.content.fetch import read_bulletin_url

            bulletin = read_bulletin_url(raw, date=date)
        elif Path(raw).suffix.lower() in (".html", ".htm"):
            from bantin.content.html import read_bulletin_html

            bulletin = read_bulletin_html(Path(raw), date=date)
        else:
            from bantin.content.ingest import read_bulletin

            bulletin = read_bulletin(Path(raw), date=date)
    except BantinError as exc:
        _fail(exc)
    target = output or content_dir() / f"{bulletin.id}.yaml"
    try:
        written = save_bulletin(bulletin, target)
    except OSError as exc:
        _fail(InputError(f"{target}: cannot be written ({exc.strerror or exc}). Check that its folder exists and is writable"))
    counts: dict[str, int] = {}
    for block in bulletin.body:
        counts[block.kind] = counts.get(block.kind, 0) + 1
    detail = ", ".join(f"{n} {k}{'s' if n > 1 else ''}" for k, n in counts.items())
    click.echo(f"{'created' if written else 'unchanged'}: {_rel(target)} ({bulletin.date.isoformat()}, {detail})")


def _interactive() -> bool:
    """Standard input and output are a terminal: a person may be asked."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _resolve_bulletin(ref: str, draft: bool = False) -> Path:
    """A bulletin given as a path, or as an id under content/ (with ``draft``: the desk's draft of that id first)."""
    path = Path(ref)
    if path.is_file():
        return path
    if draft:
        from bantin.settings import desk_dir

        candidate = desk_dir() / "drafts" / f"{ref}.yaml"
        if candidate.is_file():
            return candidate
    candidate = content_dir() / f"{ref}.yaml"
    if candidate.is_file():
        return candidate
    known = sorted(p.stem for p in content_dir().glob("*.yaml") if p.name != "noise.yaml")
    raise InputError(f"{ref}: no such bulletin file or id. Known ids in {_rel(content_dir())}: {', '.join(known) or '(none)'}")


@cli.command()
@click.argument("bulletins", nargs=-1, required=True)
@click.option("--locale", "locales", multiple=True, default=DEFAULT_LOCALES, show_default=True, help="Locale to publish (repeat for several).")
@click.option("--profile", "profiles", multiple=True, default=tuple(PROFILES), show_default=True, help="PDF profile (repeat for several).")
@click.option(
    "--engine",
    type=click.Choice(list(ENGINES)),
    default=DEFAULT_ENGINE,
    show_default=True,
    help="Speech engine: gtts (online, broadcast voice), espeak (offline fallback, degraded), auto (gtts, else espeak), piper (--voice).",
)
@click.option("--voice", type=click.Path(path_type=Path, dir_okay=False), help="Piper voice file (.onnx, with its .onnx.json beside it), for --engine piper.")
@click.option(
    "--bitrate",
    type=click.IntRange(*BITRATE_RANGE_KBPS),
    default=DEFAULT_BITRATE_KBPS,
    show_default=True,
    help="MP3 bitrate in kb/s (IP loudspeaker decoders accept up to 192).",
)
@click.option(
    "--pause",
    type=click.FloatRange(*PAUSE_RANGE_S),
    default=DEFAULT_PAUSE_S,
    show_default=True,
    help="Pause after the title and between paragraphs, in seconds.",
)
@click.option(
    "--min-translated",
    type=click.FloatRange(0, 100),
    default=DEFAULT_MIN_TRANSLATED,
    show_default=True,
    help="Publish a translated locale only when at least this percent of the bulletin is translated (fuzzy counts as not).",
)
@click.option("--print-marks", is_flag=True, help="Add a 3 mm bleed with crop and cross marks, for print shops.")
@click.option("--force", is_flag=True, help="Re-render PDFs even when an up-to-date one is cached.")
@click.option("-v", "--verbose", is_flag=True, help="Show Prefect's own log lines while publishing.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Run tasks on a local Dask cluster of this many processes [default: threads, or BANTIN_DASK_ADDRESS's cluster].",
)
@click.option("--draft", is_flag=True, help="Render for preview only, into the desk's previews folder: nothing goes on air. Takes a draft's id too.")
@click.option(
    "--approved-by",
    metavar="NAME",
    default=None,
    help="Who approves this publish, for the record and the audit log [default: system:<your user name>] (the desk's runner sets it).",
)
def publish(
    bulletins: tuple[str, ...],
    locales: tuple[str, ...],
    profiles: tuple[str, ...],
    engine: str,
    voice: Path | None,
    bitrate: int,
    pause: float,
    min_translated: float,
    print_marks: bool,
    force: bool,
    verbose: bool,
    workers: int | None,
    draft: bool,
    approved_by: str | None,
) -> None:
    """Run the Prefect flow publish-bulletin on BULLETINS (YAML paths, ids in content/, or a folder).

    Several bulletins, a folder, --workers or BANTIN_DASK_ADDRESS publish them
    all in one publish-batch run, concurrently, with a progress bar.  Whoever
    runs it acts as an approver: the audit log names the system user (or --approved-by).
    """
    from bantin.content.bulletin_file import load_bulletin
    from bantin.flows.batch_cli import expand_bulletins, publish_many
    from bantin.i18n.locales import load_locale
    from bantin.publish.request import PublishOptions
    from bantin.render.profiles import get_profile
    from bantin.settings import dask_address

    try:
        many = len(bulletins) > 1 or Path(bulletins[0]).is_dir() or workers is not None or dask_address() is not None
        sources = expand_bulletins(bulletins) if many else [_resolve_bulletin(bulletins[0], draft)]
        for path in sources:
            load_bulletin(path)  # fail fast, with the one-line message, before Prefect starts
        for code in locales:
            load_locale(code)
        for name in profiles:
            get_profile(name)
        options = PublishOptions.build(
            {
                "locales": locales,
                "profiles": profiles,
                "engine": engine,
                "force": force,
                "min_translated": min_translated,
                "print_marks": print_marks,
                "voice": str(voice) if voice else "",
                "bitrate_kbps": bitrate,
                "pause": pause,
                "draft": draft,
                "approved_by": approved_by or _system_actor(),
            }
        )
    except BantinError as exc:
        _fail(exc)
    if _COMMAND_LINE is not None:
        from bantin.handoff import hand_off

        handed = hand_off(_COMMAND_LINE)  # the project's warm process, when one of this code runs: no imports to wait for
        if handed is not None:
            sys.exit(handed)
    from bantin.flows.prefect_env import configure_prefect

    configure_prefect(console_level=None if verbose else "CRITICAL")  # the summary (and the batch's progress bar) say what happened
    if many:
        try:
            _stop_on_signals([load_bulletin(path).id for path in sources])
            sys.exit(publish_many(sources, options, workers))
        except BantinError as exc:
            _fail(exc)
    source = sources[0]

    from bantin.content.bulletin_file import load_bulletin as load
    from bantin.flows.flow import PublishFailed, publish_bulletin
    from bantin.flows.prefect_env import clean_orphan_servers
    from bantin.flows.server import command_server
    from bantin.flows.stops import call_off_main_thread
    from bantin.publish.store import BulletinStore

    store = BulletinStore(load(source).id, options.outputs_root())
    _stop_on_signals([store.id])
    click.echo(f"publishing {_rel(source)} (locales: {', '.join(locales)}; profiles: {', '.join(profiles)}; engine: {engine})", err=True)
    try:
        store.check()  # a link or record path leading outside the bulletin's generations: refused before any work

        def locked_run() -> None:
            # One writer per bulletin: a second publish waits here, saying so, and fails in one line after BANTIN_LOCK_TIMEOUT.
            with store.locked(notify=lambda text: click.echo(f"bantin: {text}", err=True)):
                clean_orphan_servers()
                with command_server(notify=lambda text: click.echo(f"bantin: {text}", err=True)):
                    publish_bulletin(options.for_bulletin(str(source)))

        # Off the main thread, Prefect installs no SIGTERM handler of its own (one that waits for the running
        # stages): Ctrl-C and SIGTERM reach bantin's handler at once (bantin.flows.stops).  The lock is taken
        # in that thread, where the flow takes it again (re-entrant per thread).
        call_off_main_thread(locked_run)
    except PublishFailed as exc:
        click.echo(f"bantin: publish failed; outputs that succeeded are listed in {_rel_link(exc.manifest_path)}", err=True)
        for failure in exc.failures:
            click.echo(f"  failed {failure.describe()}", err=True)
        record = store.record()
        if record is not None:
            _echo_skipped(record.skipped, err=True)
            _echo_kept_and_refused(record)
        sys.exit(1)
    except BantinError as exc:
        _fail(exc)
    record = store.record()
    if record is None:  # pragma: no cover  (the flow always commits a record)
        _fail(BantinError(f"{_rel(store.live)}: no record after publishing. Run 'bantin verify {store.id}'"))
        return
    click.echo(f"outputs in {_rel_link(store.live)}/")
    for out in record.current():
        if out.kind == "pdf":
            extra = f"{out.pages} pages"
        elif out.kind == "audio":
            loud = out.loudness
            extra = (
                f"{out.duration_s or 0:.1f} s, {'+'.join(out.read_by or [out.engine or '?'])}"
                f"{' (degraded)' if out.degraded else ''}, {loud.integrated_lufs if loud else None} LUFS, "
                f"{loud.true_peak_dbtp if loud else None} dBTP"
            )
        else:
            extra = out.kind
        click.echo(f"  {out.path:<60} {out.bytes:>9} bytes  {extra}")
    for out in record.stale_entries():
        click.echo(f"  stale {out.path} (inputs changed since; publish --locale {out.locale} to renew it)")
    _echo_skipped(record.skipped)
    _echo_kept_and_refused(record)
    click.echo(f"manifest: {_rel_link(store.live / 'manifest.json')}")


#: Called with the exit status just before a signal ends the command (a warm process's child reports it to its caller).
BEFORE_SIGNAL_EXIT: list[Callable[[int], None]] = []


def warm_process() -> None:
    """The project's warm process (``bantin.flows.warm``), running commands through :func:`main`: the flows never import this module."""
    from bantin.flows.warm import serve

    serve(main, BEFORE_SIGNAL_EXIT)


def _stop_on_signals(bulletin_ids: Sequence[str] = ()) -> None:
    """SIGINT and SIGTERM stop a publish within seconds: staging and temp folders removed, children stopped,
    one line per bulletin saying which record it has, 130/143.  The project's Prefect server going away stops it
    the same way, with one line and exit 1 (bantin.flows.stops, bantin.flows.server)."""
    import signal

    from bantin.flows.server import when_server_lost
    from bantin.flows.stops import stop_publishing, watch_bulletins

    def say(line: str) -> None:
        click.echo(line, err=True)

    def stop(signum: int, frame: object) -> None:
        stop_publishing(f"stopped by {signal.Signals(signum).name}", 128 + signum, say, BEFORE_SIGNAL_EXIT)

    def lost(url: str) -> None:
        stop_publishing(f"the Prefect server at {url} stopped answering", 1, say, BEFORE_SIGNAL_EXIT, summary=True)

    watch_bulletins(bulletin_ids)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    when_server_lost(lost)


def _echo_kept_and_refused(record: Record) -> None:
    """On stderr: each locale still showing its last good edition (and why), each URL the renders refused (images included)."""
    for code, loc in record.locales.items():
        if loc.last_good is not None:
            files = len([e for e in record.current(code) if e.last_good is not None])
            click.echo(f"  kept the last good edition of [{code}]: {files} files, still published (failed since {loc.last_good.failed_at})", err=True)
    for url in record.refused_urls["urls"]:
        click.echo(f"  refused {url}: only bantin's assets and the bulletin's own folder content/<id>/ are used; the PDFs show its alt text", err=True)


def _echo_skipped(skipped: list[dict[str, object]], err: bool = False) -> None:
    """One line per locale (or reading) left out on purpose, with the reason and counts."""
    for entry in skipped:
        click.echo(f"  skipped {entry['what']} [{entry['locale']}]: {entry['reason']}", err=err)


# --------------------------------------------------------------------------- the editorial desk from the terminal
# approve, retract, restore, accept-reading, list, audit: what the desk does, for whoever runs bantin on the server
# (an approver).  The library does the work (bantin.desk, bantin.publish.editorial); these print and exit.


def _system_actor() -> str:
    """Who the command line acts as in the audit log: ``system:<unix user name>``."""
    import getpass
    import os

    try:
        return f"system:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in the environment or the password database
        return f"system:uid{os.getuid()}"


_BY_HELP = "Who does it, for the record and the audit log [default: system:<your user name>]."


@cli.command()
@click.argument("bulletin_id")
@click.option("--approved-by", metavar="NAME", default=None, help=_BY_HELP)
@click.option("--publish/--no-publish", "publish_", default=True, show_default=True, help="Publish it at once.")
@click.option("--locale", "locales", multiple=True, help="Publish only this locale (repeatable) [default: publish's].")
@click.option("--profile", "profiles", multiple=True, help="Publish only this PDF profile (repeatable) [default: publish's].")
@click.option("--engine", type=click.Choice(list(ENGINES)), default=None, help="Speech engine [default: publish's].")
@click.pass_context
def approve(
    ctx: click.Context, bulletin_id: str, approved_by: str | None, publish_: bool, locales: tuple[str, ...], profiles: tuple[str, ...], engine: str | None
) -> None:
    """Approve the submitted draft BULLETIN_ID: copy it to content/<id>.yaml, then publish it (as 'bantin publish ID')."""
    global _COMMAND_LINE
    from bantin.desk.drafts import DraftStore

    by = approved_by or _system_actor()
    try:
        target = DraftStore().promote(bulletin_id, by)
    except BantinError as exc:
        _fail(exc)
    click.echo(f"approved {bulletin_id}: {_rel(target)} (by {by})")
    if not publish_:
        click.echo(f"Next: bantin publish {bulletin_id}")
        return
    chosen: dict[str, object] = {"bulletins": (bulletin_id,), "approved_by": by}
    line = ["publish", bulletin_id, "--approved-by", by]
    for name, flag, values in (("locales", "--locale", locales), ("profiles", "--profile", profiles)):
        if values:
            chosen[name] = values
            line += [part for value in values for part in (flag, value)]
    if engine:
        chosen["engine"] = engine
        line += ["--engine", engine]
    _COMMAND_LINE = line  # what the project's warm process runs, if one takes the publish
    ctx.invoke(publish, **chosen)


@cli.command()
@click.argument("bulletin_id")
@click.option("--reason", required=True, help="Why it is taken down (kept in the record and the audit log).")
@click.option("--by", "by", metavar="NAME", default=None, help=_BY_HELP)
def retract(bulletin_id: str, reason: str, by: str | None) -> None:
    """Take BULLETIN_ID off the portal, feeds and packs at once; its files and record are kept ('bantin restore' undoes it)."""
    from bantin.paths import outputs_dir
    from bantin.publish.editorial import retract as do_retract

    try:
        record = do_retract(bulletin_id, by or _system_actor(), reason, root=outputs_dir())
    except BantinError as exc:
        _fail(exc)
    click.echo(f"retracted {record.id} (by {record.editorial.retracted_by}: {record.editorial.reason})")


@cli.command()
@click.argument("bulletin_id")
@click.option("--by", "by", metavar="NAME", default=None, help=_BY_HELP)
def restore(bulletin_id: str, by: str | None) -> None:
    """Put a retracted BULLETIN_ID back on the portal, feeds and packs."""
    from bantin.paths import outputs_dir
    from bantin.publish.editorial import restore as do_restore

    try:
        record = do_restore(bulletin_id, by or _system_actor(), root=outputs_dir())
    except BantinError as exc:
        _fail(exc)
    click.echo(f"restored {record.id}: published again")


@cli.command(name="accept-reading")
@click.argument("bulletin_id")
@click.option("--locale", default="vi", show_default=True, help="The locale whose machine (degraded) reading is accepted for broadcast.")
@click.option("--by", "by", metavar="NAME", default=None, help=_BY_HELP)
def accept_reading(bulletin_id: str, locale: str, by: str | None) -> None:
    """Accept BULLETIN_ID's machine (offline) reading of --locale for the feeds, until a new reading replaces it."""
    from bantin.paths import outputs_dir
    from bantin.publish.editorial import accept_reading as do_accept

    try:
        record = do_accept(bulletin_id, locale, by or _system_actor(), root=outputs_dir())
    except BantinError as exc:
        _fail(exc)
    accepted = sorted(path for path in record.editorial.accepted if f"/{locale}/" in f"/{path}" or path.startswith(f"{locale}/"))
    click.echo(f"accepted the machine reading of {record.id} [{locale}] for broadcast: {', '.join(accepted) or '(none)'}")


@cli.command(name="list")
@click.option(
    "--state",
    "states",
    multiple=True,
    help="Only bulletins in this state (repeatable): draft, submitted, publishing, published, degraded, failed, retracted.",
)
@click.option("--search", default="", help="Only bulletins whose title or id holds this (accents optional).")
def list_(states: tuple[str, ...], search: str) -> None:
    """The desk's list: drafts and published bulletins, newest first, with their state."""
    from rich.console import Console
    from rich.table import Table

    from bantin.desk.states import DeskState, Listing, fold

    try:
        wanted = [DeskState.parse(s) for s in states]
    except ValueError as exc:
        _fail(InputError(f"--state: {exc}"))
    try:
        rows = Listing().items(wanted)
    except BantinError as exc:
        _fail(exc)
    needle = fold(search)
    rows = [r for r in rows if not needle or needle in fold(r.title) or needle in r.id]
    table = Table(title="Bản tin (bulletins)")
    table.add_column("title", overflow="fold", ratio=1)
    for name in ("date", "state", "id"):  # the id whole, to copy into the next command
        table.add_column(name, no_wrap=True)
    for row in rows:
        state = row.state.label + (" (đang phát)" if row.on_air and row.state in (DeskState.DRAFT, DeskState.SUBMITTED) else "")
        table.add_row(row.title, row.date.isoformat() if row.date else "", state, row.id)
    Console(width=max(160, Console().width)).print(table)
    click.echo(f"{len(rows)} bulletin(s)")


@cli.command()
@click.argument("bulletin_id", required=False)
@click.option("--limit", type=click.IntRange(1, 100000), default=50, show_default=True, help="Newest events shown.")
def audit(bulletin_id: str | None, limit: int) -> None:
    """The audit log (who did what, when), newest first: BULLETIN_ID's, or the whole project's."""
    from rich.console import Console
    from rich.table import Table

    from bantin.publish.audit import events

    try:
        found = events(bulletin_id, limit=limit)
    except BantinError as exc:
        _fail(exc)
    table = Table(title=f"Nhật ký (audit log){f': {bulletin_id}' if bulletin_id else ''}")
    for name in ("at (UTC)", "actor", "action", "bulletin"):
        table.add_column(name, no_wrap=name != "actor", overflow="fold")
    table.add_column("detail", overflow="fold", ratio=1)
    for event in found:
        table.add_row(event.at[:19].replace("T", " "), event.actor, event.action, event.bulletin or "", event.detail)
    Console(width=max(160, Console().width)).print(table)
    click.echo(f"{len(found)} event(s)")


@cli.command()
@click.argument("ids", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every bulletin under outputs/ (the default when no ID is given).")
@click.option("--strict", is_flag=True, help="Count stale entries as mismatches too.")
def verify(ids: tuple[str, ...], all_: bool, strict: bool) -> None:
    """Hash every file the records list; report missing, changed and unlisted files and stale entries (exit 1 on a mismatch)."""
    from rich.console import Console
    from rich.table import Table

    from bantin.paths import outputs_dir
    from bantin.publish.verify import known_bulletins, verify_all

    try:
        root = outputs_dir()
    except BantinError as exc:
        _fail(exc)
    chosen = known_bulletins(root) if all_ or not ids else list(ids)
    results = verify_all(chosen, root)
    table = Table(title="Records and files")
    for name in ("bulletin", "path", "problem", "detail"):
        table.add_column(name, overflow="fold")
    for result in results:
        for f in result.findings:
            table.add_row(f.bulletin, f.path, f.problem, f.detail)
    if any(r.findings for r in results):
        Console(width=max(100, Console().width), stderr=False).print(table)
    counts = {p: sum(r.count(p) for r in results) for p in ("missing", "changed", "unlisted", "unreadable", "stale")}
    ok = all(r.ok(strict) for r in results)
    checked = sum(r.checked for r in results)
    detail = ", ".join(f"{n} {p}" for p, n in counts.items() if n or p in ("missing", "changed", "unlisted", "stale"))
    click.echo(f"verify: {'ok' if ok else 'MISMATCH'}: {len(results)} bulletin(s), {checked} listed file(s); {detail}")
    sys.exit(0 if ok else 1)


@cli.command()
@click.argument("text", required=False)
def normalize(text: str | None) -> None:
    """Print exactly what the speech engine will read for TEXT (or standard input)."""
    from bantin.speech.normalize import normalize as normalize_text

    source = text if text is not None else sys.stdin.read()
    try:
        for line in source.splitlines() or [""]:
            click.echo(normalize_text(line))
    except BantinError as exc:
        _fail(exc)


@cli.group()
def i18n() -> None:
    """Gettext catalogs: extract templates, update translations, compile, show status."""


def _report(changes: Sequence[CatalogChange]) -> None:
    for change in changes:
        click.echo(f"{change.action:<10} {_rel(change.path)}")


def _run_catalog_command(command: Callable[[], Sequence[CatalogChange]]) -> None:
    """Run an i18n command and report its changes; files it refused get one error line each, then exit 2."""
    from bantin.i18n.commands import RefusedFilesError

    try:
        _report(command())
    except RefusedFilesError as exc:
        _report(exc.changes)
        for problem in exc.problems:
            click.echo(f"bantin: error: {problem}", err=True)
        sys.exit(2)
    except BantinError as exc:
        _fail(exc)


@i18n.command()
def extract() -> None:
    """Write locales/chrome.pot (from the code and templates) and locales/bulletins/<id>.pot."""
    from bantin.i18n.commands import extract as do_extract

    _run_catalog_command(do_extract)


@i18n.command()
@click.option("--locale", "locales", multiple=True, help="Only this locale (repeat for several; default: every target locale).")
def update(locales: tuple[str, ...]) -> None:
    """Merge the templates into each locale's catalogs, keeping translations (changed blocks become fuzzy)."""
    from bantin.i18n.commands import update as do_update

    _run_catalog_command(lambda: do_update(locales or None))


@i18n.command(name="compile")
@click.option("--locale", "locales", multiple=True, help="Only this locale (repeat for several).")
def compile_(locales: tuple[str, ...]) -> None:
    """Write a .mo beside every .po (fuzzy entries left out). bantin itself reads the .po files."""
    from bantin.i18n.commands import compile_catalogs

    _run_catalog_command(lambda: compile_catalogs(codes=locales or None))


@i18n.command(name="status")
@click.option("--locale", "locales", multiple=True, help="Only this locale (repeat for several).")
def status_(locales: tuple[str, ...]) -> None:
    """A table of catalog (chrome, then each bulletin) x locale: translated, fuzzy, untranslated, percent."""
    from rich.console import Console
    from rich.table import Table

    from bantin.i18n.commands import status as do_status
    from bantin.i18n.locales import load_locale

    try:
        for code in locales:
            load_locale(code)
        rows = do_status(codes=locales or None)
    except BantinError as exc:
        _fail(exc)
    table = Table(title="Translation status")
    table.add_column("catalog", overflow="fold")
    table.add_column("locale")
    for name in ("translated", "fuzzy", "untranslated", "%"):
        table.add_column(name, justify="right")
    for row in rows:
        c = row.coverage
        table.add_row(row.catalog, row.locale, str(c.translated), str(c.fuzzy), str(c.untranslated), f"{c.percent:.0f}%")
    Console(width=max(100, Console().width)).print(table)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option(
    "--export",
    "export_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write the portal as static files into this folder instead of serving it.",
)
@click.option(
    "--public-url",
    "--base-url",
    "public_url",
    envvar="BANTIN_PUBLIC_URL",
    help="Absolute base URL of the portal, for feed enclosures and links [env BANTIN_PUBLIC_URL]; default: the address it listens on.",
)
@click.option(
    "--outputs",
    "outputs_root",
    type=click.Path(path_type=Path, file_okay=False),
    help="The outputs folder to serve [env BANTIN_OUTPUTS; default outputs/].",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    help="Also answer requests for this Host (repeatable; *.example.org for subdomains) [bantin.toml [portal] allowed_hosts]; others get 400.",
)
@click.option("--feed-items", type=click.IntRange(1, 100000), default=100, show_default=True, help="Newest items each podcast feed holds.")
@click.option(
    "--accel-prefix",
    default=None,
    help="Behind nginx: answer files with X-Accel-Redirect to this internal location, which maps to the outputs folder (docs/nginx/).",
)
@click.option("--full", is_flag=True, help="With --export: read every record and check every exported bulletin again.")
def portal(
    host: str,
    port: int,
    export_dir: Path | None,
    public_url: str | None,
    outputs_root: Path | None,
    allowed_hosts: tuple[str, ...],
    feed_items: int,
    accel_prefix: str | None,
    full: bool,
) -> None:
    """Serve (read-only) or export the download portal: PDFs, readings, packs and podcast feeds."""
    from dataclasses import replace

    from bantin.paths import outputs_dir
    from bantin.portal import PortalConfig, create_app, export_site

    root = (outputs_root or outputs_dir()).resolve()
    if not root.is_dir():
        _fail(InputError(f"{_rel(root)}: no such outputs folder. Run 'bantin publish' first, or pass --outputs DIR"))
    if public_url and not re.match(r"https?://[^/\s]+(/\S*)?$", public_url):
        _fail(
            InputError(
                f"--base-url (or BANTIN_PUBLIC_URL) {public_url}: not an absolute http(s) URL. Give the portal's full address, e.g. https://bantin.example.org/"
            )
        )
    if accel_prefix is not None and not re.fullmatch(r"/[A-Za-z0-9._~/-]*", accel_prefix):
        _fail(InputError(f"--accel-prefix {accel_prefix}: not a location path. Give nginx's internal location, e.g. /_outputs/"))
    config = PortalConfig(outputs=root, public_url=public_url or None, host=host, port=port, accel_prefix=accel_prefix)
    config = replace(config, feed=replace(config.feed, limit=feed_items))
    if allowed_hosts:
        config = replace(config, allowed_hosts=config.allowed_hosts + allowed_hosts)
    if export_dir is not None:
        report = export_site(root, export_dir, public_url=config.public_url, feed_config=config.feed, full=full)
        if not config.public_url:
            click.echo("bantin: note: no --base-url given; feed links are relative, which some podcast apps refuse", err=True)
        click.echo(
            f"exported {report.bulletins} bulletin(s) to {_rel(export_dir)}/: {len(report.written)} written, "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed ({len(report.bulletins_read)} record(s) read)"
        )
        return
    import uvicorn

    try:
        app = create_app(config)
    except BantinError as exc:
        _fail(exc)
    click.echo(f"bantin portal: serving {_rel(root)} on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)


@cli.group()
def index() -> None:
    """The index of published bulletins (outputs/.bantin/_index/), derived from the records."""


@index.command()
@click.option(
    "--outputs",
    "outputs_root",
    type=click.Path(path_type=Path, file_okay=False),
    help="The outputs folder [env BANTIN_OUTPUTS; default outputs/].",
)
def rebuild(outputs_root: Path | None) -> None:
    """Make every index entry again from its record (after records were changed or removed by hand)."""
    from bantin.paths import outputs_dir
    from bantin.publish.index import index_dir
    from bantin.publish.index import rebuild as do_rebuild

    try:
        root = (outputs_root or outputs_dir()).resolve()
    except BantinError as exc:
        _fail(exc)
    if not root.is_dir():
        _fail(InputError(f"{_rel(root)}: no such outputs folder. Run 'bantin publish' first, or pass --outputs DIR"))
    report = do_rebuild(root)
    if report.read_only:
        _fail(BantinError(f"{_rel(index_dir(root))}: cannot be written. Check the outputs folder's permissions"))
    for action, ids in (("create", report.created), ("update", report.updated), ("remove", report.removed)):
        for bid in ids:
            click.echo(f"{action:<10} {bid}")
    click.echo(
        f"index: {len(report.summaries)} bulletin(s) in {_rel(index_dir(root))}/: "
        f"{len(report.created)} created, {len(report.updated)} updated, {len(report.removed)} removed, {report.unchanged} unchanged"
    )


@cli.command()
@click.option("--limit", type=click.IntRange(1, 64), default=None, help="Most flow runs at once (default: no limit).")
@click.option("--pause-on-exit", is_flag=True, help="Pause the deployments' schedules when serving stops (default: leave them active).")
def serve(limit: int | None, pause_on_exit: bool) -> None:
    """Serve bantin's deployments (publish-bulletin, republish) to the Prefect server at PREFECT_API_URL.

    Start a server first (make ui), then in another terminal:
    export PREFECT_API_URL=http://127.0.0.1:4200/api; bantin serve
    """
    from bantin.flows.prefect_env import configure_prefect

    configure_prefect()
    from bantin.flows.deploy import serve_deployments

    serve_deployments(limit=limit, pause_on_shutdown=pause_on_exit, say=lambda line: click.echo(line, err=True))


@cli.group()
def server() -> None:
    """The project's own Prefect server: started on first use by publish, reused after (state in .prefect/)."""


@server.command(name="start")
def server_start() -> None:
    """Start the project's Prefect server (with its UI) if it is not running, and print its address."""
    from bantin.flows.prefect_env import configure_prefect

    configure_prefect()
    from bantin.flows.server import ensure_server

    state = ensure_server()
    click.echo(f"Prefect server for this project: {state.ui_url} (API {state.api_url}, pid {state.pid})")


@server.command(name="stop")
def server_stop() -> None:
    """Stop the project's Prefect server."""
    from bantin.flows.prefect_env import configure_prefect

    configure_prefect()
    from bantin.flows.server import stop_server

    state = stop_server()
    click.echo(f"stopped the Prefect server (pid {state.pid})" if state else "no Prefect server was running for this project")


@server.command(name="status")
def server_status() -> None:
    """Say whether the project's Prefect server runs, and where; exit 1 when it does not answer."""
    from bantin.flows.prefect_env import configure_prefect

    configure_prefect()
    from bantin.flows.server import server_status as status

    state, healthy = status()
    if state is None:
        click.echo("no Prefect server recorded for this project (bantin publish or bantin server start starts one)")
        sys.exit(1)
    click.echo(f"{'running' if healthy else 'not answering'}: {state.ui_url} (API {state.api_url}, pid {state.pid})")
    from bantin.fsutil import pid_alive
    from bantin.handoff import read_state
    from bantin.settings import prefect_home

    warm = read_state(prefect_home())
    if warm is not None and pid_alive(warm.pid):
        click.echo(f"warm process: pid {warm.pid} (publish skips its imports there)")
    sys.exit(0 if healthy else 1)


@cli.command()
@click.option(
    "--ui-port",
    type=click.IntRange(1, 65535),
    default=4200,
    show_default=True,
    help="Port of the Prefect server and its UI (a running one is reused).",
)
@click.option("--portal-port", type=click.IntRange(1, 65535), default=None, help="Port of the download portal [default: bantin.toml's [portal] port].")
@click.option("--host", default=None, help="Address the portal listens on [default: bantin.toml's [portal] host].")
@click.option(
    "--database",
    envvar="BANTIN_DATABASE_URL",
    default=None,
    help="PostgreSQL URL for the Prefect server's state (postgresql://USER:PASSWORD@HOST:PORT/DB) [env BANTIN_DATABASE_URL; default: SQLite under .prefect/].",
)
@click.option("--desk-port", type=click.IntRange(1, 65535), default=None, help="Port of the newsroom desk [default: bantin.toml's [desk] port, else 8090].")
def up(ui_port: int, portal_port: int | None, host: str | None, database: str | None, desk_port: int | None) -> None:
    """Start everything an operator needs: the Prefect server and UI, the deployments' runner, the portal and the newsroom desk."""
    from bantin.flows.prefect_env import configure_prefect
    from bantin.settings import project_config

    configure_prefect()
    from bantin.flows.up import run_up

    config = project_config()
    try:
        status = run_up(
            ui_port,
            host or config.portal_host,
            portal_port or config.portal_port,
            say=lambda line: click.echo(line, err=True),
            database=database,
            desk_port=desk_port,
        )
    except BantinError as exc:
        _fail(exc)
    sys.exit(status)


def _crash_log(exc: BaseException) -> Path:
    """Write the traceback of an unexpected error to a log file and return its path."""
    import tempfile
    import traceback

    from bantin.settings import find_project

    project = find_project()
    folder = project / ".cache" / "logs" if project else Path(tempfile.gettempdir())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="bantin-crash-", suffix=".log", dir=folder)
    except OSError:
        fd, name = tempfile.mkstemp(prefix="bantin-crash-", suffix=".log")
    with open(fd, "w", encoding="utf-8") as fh:
        fh.write(f"bantin {__version__}: {' '.join(sys.argv)}\n")
        traceback.print_exception(exc, file=fh)
    return Path(name)


#: The command line main() was called with, which ``publish`` may hand to the project's warm process.
_COMMAND_LINE: list[str] | None = None


def main(args: list[str] | None = None) -> None:
    """Console-script entry point: one line for every error, never a traceback."""
    global _COMMAND_LINE
    _COMMAND_LINE = list(sys.argv[1:] if args is None else args)
    try:
        cli(args=args, prog_name="bantin")
    except BantinError as exc:
        _fail(exc)
    except OSError as exc:
        hint = _environment_fault(exc)
        if hint is None:
            _report_bug(exc)
        click.echo(f"bantin: error: {hint}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug: one line, and the traceback in a log file
        _report_bug(exc)


def _report_bug(exc: BaseException) -> NoReturn:
    """One line naming the error and the log file that holds its traceback; exit 1."""
    log = _crash_log(exc)
    click.echo(f"bantin: error: internal error ({type(exc).__name__}: {str(exc)[:200]}). This is a bug; please report it with the log {log}", err=True)
    sys.exit(1)


#: What to do about an environment fault, by errno.
_FAULTS = {
    errno.EROFS: ("is on a read-only file system", "Publish to a writable folder (set BANTIN_OUTPUTS) or remount it read-write"),
    errno.EACCES: ("cannot be written: permission denied", "Fix the folder's permissions or run bantin as its owner"),
    errno.EPERM: ("cannot be written: operation not permitted", "Fix the folder's permissions or run bantin as its owner"),
    errno.ENOSPC: ("cannot be written: the disk is full", "Free some space, then publish again; the previous record was kept"),
    errno.EDQUOT: ("cannot be written: the disk quota is exceeded", "Free some space, then publish again; the previous record was kept"),
    errno.EADDRINUSE: ("cannot listen: the port is in use", "Choose another port, or stop what listens there"),
}


def _environment_fault(exc: OSError) -> str | None:
    """One line for a fault of the machine rather than of bantin, or None when it is not one."""
    fault = _FAULTS.get(exc.errno or -1)
    if fault is None:
        return None
    what = exc.filename or "a file bantin writes"
    return f"{_escape(str(what))} {fault[0]}. {fault[1]}"


def _escape(text: str) -> str:
    """The text with control characters escaped, so a path cannot drive the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


# --------------------------------------------------------------------------- bantin desk
# The desk web app's commands (bantin desk serve, bantin desk user add) belong here, above the __main__ block
# (owner: the desk web app; bantin.desk.app).


@cli.group()
def desk() -> None:
    """The newsroom desk (bàn biên tập): serve it, and manage its users."""


@desk.command("serve")
@click.option("--host", default=None, help="Address to listen on [default: [desk] host in bantin.toml, else 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port to listen on [default: [desk] port in bantin.toml, else 8090].")
@click.option(
    "--runner",
    "runner_name",
    default="prefect",
    show_default=True,
    help="How publishes are run: 'prefect' (the deployments, seen in the Prefect UI) or 'process' (a bantin publish child process).",
)
@click.option("--prefect-ui", metavar="URL", default=None, help="The Prefect UI the desk links each run to [default: Prefect's own setting].")
def desk_serve(host: str | None, port: int | None, runner_name: str, prefect_ui: str | None) -> None:
    """Serve the desk (Starlette under uvicorn) until Ctrl-C."""
    import uvicorn

    from bantin import settings
    from bantin.desk.app import DeskConfig, create_app
    from bantin.desk.runs import Runner, get_runner

    runner: Runner
    if runner_name == "prefect":
        from bantin.flows.prefect_env import configure_prefect

        configure_prefect()
        from bantin.flows.desk_runner import PrefectRunner

        runner = PrefectRunner(prefect_ui)
    else:
        runner = get_runner(runner_name)
    default_host, default_port = settings.desk_address()
    config = DeskConfig(host=host or default_host, port=port or default_port)
    app = create_app(config, runner)
    if not config.desk_dir.joinpath("users.json").is_file():
        click.echo("The desk has no users yet: create the first admin with  bantin desk user add NAME --role admin", err=True)
    click.echo(f"Bàn biên tập (newsroom desk): http://{config.host}:{config.port}/", err=True)
    uvicorn.run(app, host=config.host, port=config.port, log_level="warning")


@desk.group("user")
def desk_user() -> None:
    """The desk's users (desk/users.json): add, list."""


@desk_user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["editor", "approver", "admin"]), required=True, help="editor, approver or admin.")
@click.password_option("--password", prompt="Mật khẩu (password)", confirmation_prompt=True, hide_input=True, help="Asked twice when not given.")
def desk_user_add(name: str, role: str, password: str) -> None:
    """Add a desk user (the first one: --role admin); the password is asked twice."""
    from bantin.desk.users import UserStore
    from bantin.publish.audit import record_event
    from bantin.settings import desk_dir

    user = UserStore(desk_dir() / "users.json").add(name, password, role)
    record_event("user_added", f"system:{_system_user()}", None, f"{user.name} ({user.role.value})")
    click.echo(f"added {user.name} ({user.role.value})")


@desk_user.command("list")
def desk_user_list() -> None:
    """The desk's users, their roles, and who is locked."""
    from bantin.desk.users import UserStore
    from bantin.settings import desk_dir

    for user in UserStore(desk_dir() / "users.json").list():
        locked = "\tdisabled" if user.disabled else ""
        click.echo(f"{user.name}\t{user.role.value}{locked}")


def _system_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


if __name__ == "__main__":  # pragma: no cover
    main()

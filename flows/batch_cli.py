"""``bantin publish`` of several bulletins (a folder, several ids or paths), or on Dask: one publish-batch run.

A rich progress bar shows the bulletins and their stages as they finish
(driven by :func:`bantin.flows.batch.listening`), and a table sums up each
bulletin.  Prefect is imported only here, inside the command, like the rest of
the CLI.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bantin.errors import InputError
from bantin.paths import content_dir

if TYPE_CHECKING:
    from bantin.publish.request import PublishOptions

__all__ = ["expand_bulletins", "publish_many"]


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def expand_bulletins(refs: Sequence[str]) -> list[Path]:
    """Every bulletin named: a folder gives its ``*.yaml`` (sorted), a file itself, an id its file in content/; no repeats."""
    out: list[Path] = []
    for ref in refs:
        path = Path(ref)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.yaml") if p.name != "noise.yaml")
            if not found:
                raise InputError(f"{ref}: the folder holds no bulletin (*.yaml). Name a folder of bulletin YAML files")
            out += found
        elif path.is_file():
            out.append(path)
        elif (content_dir() / f"{ref}.yaml").is_file():
            out.append(content_dir() / f"{ref}.yaml")
        else:
            raise InputError(f"{ref}: no such bulletin file, folder or id. Give a YAML path, a folder, or an id in {content_dir()}")
    unique: dict[Path, Path] = {}
    for path in out:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def publish_many(sources: Sequence[Path], options: PublishOptions, workers: int | None) -> int:
    """Publish ``sources`` in one publish-batch flow run; the exit status (0, or 1 when a bulletin failed)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from bantin.flows.batch import BatchFailed, publish_batch
    from bantin.flows.progress import listening
    from bantin.flows.runners import choose_runner, runner_scope
    from bantin.flows.server import command_server
    from bantin.flows.stops import call_off_main_thread

    console = Console(stderr=True)
    locales, profiles = options.locales, options.profiles
    per_bulletin = len(locales) * (len(profiles) + 3)  # PDFs, a reading, braille and an EPUB per locale, at most
    outcomes: dict[str, dict[str, Any]] = {}
    runner_name = choose_runner(workers)
    console.print(
        f"publishing {len(sources)} bulletin{'s' if len(sources) != 1 else ''} in one run on {runner_name} "
        f"(locales: {', '.join(locales)}; profiles: {', '.join(profiles)}; engine: {options.engine})"
    )
    with Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[now]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        refresh_per_second=4,  # rich's default 10 redraws cost a second of CPU per batch of 10, beside the bulletins' work
    ) as progress:
        bulletins = progress.add_task("bulletins", total=len(sources), now="")
        stages = progress.add_task("stages", total=len(sources) * per_bulletin, now="")
        running: list[str] = []
        told: dict[str, int] = {}  # stages told one by one, by bulletin (none when they ran on Dask workers)

        def listen(event: str, source: str, outcome: dict[str, Any] | None) -> None:
            if event == "stop":  # the command is stopping (a signal): give the terminal back
                progress.stop()
                return
            name = Path(source).stem
            if event == "stage":
                told[source] = told.get(source, 0) + 1
                progress.update(stages, advance=1, now=f"{name[:40]}: {outcome['stage'] if outcome else ''} [{outcome['locale'] if outcome else ''}]")
                return
            if event == "start":
                running.append(name)
            else:
                running.remove(name)
                assert outcome is not None
                outcomes[source] = outcome
                done = len(outcome["stages"])
                seen = told.pop(source, 0)
                progress.update(stages, advance=max(0, done - seen), total=(progress.tasks[stages].total or 0) - (per_bulletin - max(done, seen)))
                progress.advance(bulletins)
            progress.update(bulletins, now=f"running: {', '.join(running[:3])}{' …' if len(running) > 3 else ''}")

        try:
            with command_server(notify=progress.console.print), runner_scope(runner_name, workers) as runner, listening(listen):
                # Off the main thread, where Prefect's own SIGTERM handler would first wait for every bulletin
                # to finish (and commit): bantin's handler stops them at once (bantin.flows.stops).
                call_off_main_thread(publish_batch.with_options(task_runner=runner), [str(p) for p in sources], options)
            status = 0
        except BatchFailed:
            status = 1
    table = Table(title="publish-batch", title_justify="left")
    for column in ("bulletin", "status", "outputs", "rendered", "reused", "seconds"):
        numeric = column in ("outputs", "rendered", "reused", "seconds")
        table.add_column(column, justify="right" if numeric else "left", no_wrap=column != "bulletin", overflow="fold")
    problems: list[str] = []
    for source in sources:
        o = outcomes.get(str(source))
        if o is None:
            table.add_row(source.stem, "[red]not run", "", "", "", "")
            continue
        rendered = sum(1 for s in o["stages"] if s.get("rendered"))
        reused = sum(1 for s in o["stages"] if s.get("state") == "Cached")
        seconds = f"{o['seconds']:.1f}" if o.get("seconds") is not None else ""
        table.add_row(source.stem, "[green]published" if o["ok"] else "[red]failed", str(o["outputs"]), str(rendered), str(reused), seconds)
        problems += [f"  {source.stem}: {reason}" for reason in o["failures"]]
    Console(file=sys.stdout).print(table)
    done = [o for o in outcomes.values() if o["manifest"]]
    if done:
        print(f"manifests: {_rel(Path(done[0]['manifest']).parent.parent)}/<bulletin>/manifest.json")
    for line in problems:
        print(line, file=sys.stderr)
    failed = sum(1 for o in outcomes.values() if not o["ok"])
    if failed or status:
        console.print(f"bantin: {failed} of {len(sources)} bulletins failed; the others were published")
    return 1 if failed or status else 0

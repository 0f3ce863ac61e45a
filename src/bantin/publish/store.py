"""Where a bulletin's record and files live on disk, one writer at a time, swapped in atomically.

``outputs/<id>`` is a symbolic link to the current *generation*, a folder
``outputs/.bantin/<id>/g<time>-<pid>/`` holding the files and the
``manifest.json`` that lists them.  A publish:

1. takes the bulletin's lock (:mod:`filelock`; a second publish waits up to
   ``BANTIN_LOCK_TIMEOUT`` seconds, then fails with one line);
2. cleans what a killed run left (staging, orphan generations, dead runs' temp folders);
3. fills ``outputs/.bantin/<id>/staging/`` with hard links of the current
   generation, and the stages write there (always by temp file + rename, so a
   link shared with the current generation is replaced, never written through);
4. removes every file the new record does not list, writes the manifest,
   renames the staging folder to a new generation and swaps the link (one
   ``rename``).  The old generation is then removed.

A process killed at any instant thus leaves ``outputs/<id>`` pointing at a
complete generation whose record is true: the old one, or the new one.
A schema 1 project (``outputs/<id>`` a plain folder) is converted on its first publish.

Nothing outside ``outputs/.bantin/<id>/`` is ever written or removed: a live
link, a generation or a record path that leads elsewhere (a link someone made
by hand, a record edited to name ``/etc/passwd``) is refused with
:class:`~bantin.errors.UnsafeOutputError` before any work (:meth:`BulletinStore.check`),
and every removal checks again that what it removes is the store's own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from bantin.errors import PublishBusyError, PublishStoppedError, RecordError, UnsafeOutputError
from bantin.fsutil import contained, pid_alive, sha256_file
from bantin.publish.index import update_on_commit
from bantin.publish.record import MANIFEST_NAME, Record, dumps, read_record
from bantin.settings import lock_timeout, outputs_dir, runtime_dir

__all__ = [
    "STORE_DIR",
    "BulletinStore",
    "abort_active",
    "clean_dead_run_dirs",
    "is_private",
    "run_tempdir",
]

log = logging.getLogger("bantin.publish")

#: Hidden folder under ``outputs/`` holding each bulletin's generations, staging folder and lock.
STORE_DIR = ".bantin"
#: Files a generation holds besides the listed outputs: the record, republish's state.
PRIVATE_NAMES = frozenset({MANIFEST_NAME, ".republished.json"})
#: What to do about a record path that leaves its generation.
_FIX_RECORD = "Correct that entry of the record, or remove the bulletin's outputs/.bantin/<id>/ folder and outputs/<id> link to publish it afresh"
#: Temp folders a run makes under the system temp folder: ``bantin-run-<pid>-*``.
RUN_DIR_PREFIX = "bantin-run-"

_ACTIVE: set[BulletinStore] = set()
#: Held while a generation is swapped in; a stop takes it, so a swap under way ends before staging is dropped.
_COMMIT_LOCK = threading.RLock()
#: Set by :func:`abort_active`: the process is stopping, and no publish of it may swap a generation in any more.
_STOPPING = threading.Event()
#: Longest a stop waits for a swap under way (seconds): a swap is a few renames and one fsync.
_COMMIT_WAIT_S = 5.0
#: Locks this process holds, by lock file: the holding thread and how many of its ``locked()`` blocks hold it.
_HELD: dict[Path, tuple[int, int]] = {}
_RUN_DIRS: set[Path] = set()


def is_private(rel: str, listed: set[str]) -> bool:
    """bantin's own files in a generation: the record, republish's state, the render key sidecar of a listed PDF."""
    folder, _, name = rel.rpartition("/")
    if name in PRIVATE_NAMES and not folder:
        return True
    if name.startswith(".") and name.endswith(".key.json"):
        pdf = name[1 : -len(".key.json")]
        return (f"{folder}/{pdf}" if folder else pdf) in listed
    return False


def _files(folder: Path) -> Iterator[str]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() or path.is_symlink():
            yield path.relative_to(folder).as_posix()


def _rmtree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


class BulletinStore:
    """The on-disk home of one bulletin: live link, generations, staging folder and lock."""

    def __init__(self, bulletin_id: str, root: Path | None = None) -> None:
        self.id = bulletin_id
        self.root = (root or outputs_dir()).absolute()
        self.live = self.root / bulletin_id
        self.home = self.root / STORE_DIR / bulletin_id
        self.staging = self.home / "staging"
        self.lock_path = self.home / "lock"

    # ------------------------------------------------------------------ the lock

    @contextlib.contextmanager
    def locked(self, timeout: float | None = None, notify: Callable[[str], None] | None = None) -> Iterator[BulletinStore]:
        """Hold the bulletin's lock: wait (saying so) up to ``timeout`` seconds, then :class:`PublishBusyError`."""
        me = threading.get_ident()
        owner = _HELD.get(self.lock_path)
        if owner is not None and owner[0] == me:  # this thread holds it already (the CLI around the flow): re-entrant
            _HELD[self.lock_path] = (me, owner[1] + 1)
            try:
                yield self
            finally:
                _HELD[self.lock_path] = (me, _HELD[self.lock_path][1] - 1)
            return
        wait = lock_timeout() if timeout is None else timeout
        self._refuse_linked_home()  # the lock file is the first thing written: never through a planted link
        self.home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.lock_path), thread_local=False)  # tasks run in other threads
        try:
            lock.acquire(timeout=0)
        except Timeout:
            (notify or log.warning)(f"{self.id}: another publish of this bulletin is running; waiting up to {wait:g} s for it")
            try:
                lock.acquire(timeout=wait)
            except Timeout:
                raise PublishBusyError(
                    f"{self.live}: another publish of {self.id} still holds its lock after {wait:g} s. Wait for it to end, or raise BANTIN_LOCK_TIMEOUT"
                ) from None
        _ACTIVE.add(self)
        _HELD[self.lock_path] = (me, 1)
        try:
            yield self
        finally:
            _HELD.pop(self.lock_path, None)
            _ACTIVE.discard(self)
            lock.release()

    @property
    def held(self) -> bool:
        """This process holds the bulletin's lock."""
        return bool(_HELD.get(self.lock_path))

    # ------------------------------------------------------------------ generations

    def _own_generation(self, path: Path) -> bool:
        """``path`` is one of this store's generation folders: a real folder right under ``outputs/.bantin/<id>/``."""
        return (
            not path.is_symlink()
            and path.name.startswith("g")
            and path.parent.resolve() == self.home.resolve()
            and self.home.resolve() == self.root.resolve() / STORE_DIR / self.id
        )

    def _refuse(self, what: Path, why: str, advice: str = "") -> UnsafeOutputError:
        advice = advice or f"Remove that link by hand (rm, not rm -r), then publish {self.id} again"
        return UnsafeOutputError(f"{what}: {why}, outside the bulletin's own generations ({self.home}/); bantin neither follows nor removes it. {advice}")

    def _refuse_linked_home(self) -> None:
        """:class:`UnsafeOutputError` when ``outputs/.bantin`` or ``outputs/.bantin/<id>`` is a link."""
        for folder in (self.root / STORE_DIR, self.home):
            if folder.is_symlink():
                raise self._refuse(folder, f"a link to {folder.resolve()}")

    def generation(self) -> Path | None:
        """The folder of the current generation (the live folder itself for a schema 1 project), or None.

        :class:`UnsafeOutputError` when ``outputs/<id>`` is a link to anything
        but one of the bulletin's generations (a folder elsewhere, a link to a link).
        """
        if self.live.is_symlink():
            target = self.live.parent / os.readlink(self.live)
            if not target.exists():
                return None
            if not self._own_generation(target) or not target.is_dir():
                hop = target if target.is_symlink() else self.live  # name the link that leads out
                raise self._refuse(hop, f"a link to {hop.resolve()}")
            return target.resolve()
        return self.live if self.live.is_dir() else None

    def record(self) -> Record | None:
        """The current record (None when the bulletin was never published)."""
        folder = self.generation()
        return read_record(folder) if folder is not None else None

    def check(self) -> None:
        """Refuse (:class:`UnsafeOutputError`) a store whose links or record lead outside the bulletin's generations.

        Called before any work: the live link, the store's own folders, every
        generation and the current record's paths.  bantin makes no link inside
        a generation, so any link there was made by hand and is refused too.
        """
        self._refuse_linked_home()
        current = self.generation()
        for gen in self._generations() + ([current] if current is not None else []):
            if gen.is_symlink():
                raise self._refuse(gen, f"a link to {gen.resolve()}")
            for path in gen.rglob("*"):
                if path.is_symlink():
                    raise self._refuse(path, f"a link to {path.resolve()}")
        if current is None:
            return
        try:
            record = read_record(current)  # UnsafeOutputError for a path that is absolute or climbs out
        except UnsafeOutputError:
            raise
        except RecordError:
            return  # unreadable, not unsafe: the publish starts a new record
        for entry in record.outputs if record is not None else []:
            if contained(current, entry.path) is None:
                raise self._refuse(current / entry.path, "a record path that leads", advice=_FIX_RECORD)

    def _generations(self) -> list[Path]:
        if not self.home.is_dir() or self.home.is_symlink():
            return []
        return sorted(p for p in self.home.iterdir() if p.name.startswith("g") and (p.is_symlink() or p.is_dir()))

    def _remove(self, path: Path) -> None:
        """Remove a generation or the staging folder of this store, and nothing else (a link: the link itself)."""
        if path.is_symlink():
            path.unlink()
            return
        if path.parent.resolve() != self.home.resolve() or self.home.resolve() != self.root.resolve() / STORE_DIR / self.id:
            raise self._refuse(path, "not one of the store's own folders", advice="Check the outputs folder's links")
        _rmtree(path)

    def recover(self) -> list[str]:
        """Clean what a killed run left (needs the lock); returns what was cleaned, in words."""
        cleaned: list[str] = []
        self.check()
        if self.live.is_symlink() and self.generation() is None:  # a dangling link into the store (checked above)
            self.live.unlink()
        if not self.live.exists():
            candidates = [g for g in self._generations() if (g / MANIFEST_NAME).is_file()]
            if candidates:
                self._point_live(candidates[-1])
                cleaned.append(f"relinked {self.live.name} to {candidates[-1].name}")
        current = self.generation()
        if self.staging.exists() or self.staging.is_symlink():
            self._remove(self.staging)
            cleaned.append("staging folder of an interrupted publish")
        for leftover in self.home.glob("live-*.tmp"):
            leftover.unlink(missing_ok=True)
        for gen in self._generations():
            if current is None or gen.resolve() != current.resolve():
                self._remove(gen)
                cleaned.append(f"generation {gen.name}, not current")
        cleaned += clean_dead_run_dirs()
        return cleaned

    def begin(self) -> Path:
        """A fresh staging folder holding hard links of the current generation (needs the lock)."""
        assert self.held, "begin() needs the bulletin's lock"
        for line in self.recover():
            log.info("%s: cleaned %s", self.id, line)
        current = self.generation()
        if current is not None:
            shutil.copytree(current, self.staging, copy_function=_link, symlinks=False, ignore=shutil.ignore_patterns(".*.tmp*", "*.tmp"))
        else:
            self.staging.mkdir(parents=True)
        return self.staging

    def abort(self) -> None:
        """Drop the staging folder; the current generation stays as it is."""
        if self.staging.exists() or self.staging.is_symlink():
            self._remove(self.staging)

    def commit(self, record: Record) -> Record:
        """Swap the staging folder in as the new generation, with ``record`` (whose paths are relative to it).

        Files the record does not list are removed first; an entry whose file is
        missing or changed (someone deleted it from the live folder) is dropped,
        so the record never lists what is not there.
        """
        assert self.held, "commit() needs the bulletin's lock"
        with _COMMIT_LOCK:
            if _STOPPING.is_set():
                raise PublishStoppedError(f"{self.live}: the publish was stopped before its new generation was swapped in; the previous record was kept")
            return self._commit(record)

    def _commit(self, record: Record) -> Record:
        stage = self.staging
        honest = []
        for entry in record.outputs:
            path = contained(stage, entry.path)
            if path is None:
                raise self._refuse(stage / entry.path, "a record path that leads", advice=_FIX_RECORD)
            if not path.is_file():
                log.warning("%s: %s is missing; dropped from the record", self.id, entry.path)
                continue
            st = path.stat()
            if entry.sha256 is None:
                log.warning("%s: %s has no recorded sha256; dropped", self.id, entry.path)
                continue
            if st.st_size != entry.bytes or (entry.mtime_ns is not None and st.st_mtime_ns != entry.mtime_ns):
                if st.st_size != entry.bytes or sha256_file(path) != entry.sha256:
                    log.warning("%s: %s differs from its record; dropped", self.id, entry.path)
                    continue
                entry = entry.model_copy(update={"mtime_ns": st.st_mtime_ns})
            honest.append(entry)
        listed = {e.path for e in honest}
        for rel in _files(stage):
            if rel not in listed and not is_private(rel, listed):
                (stage / rel).unlink()
        for folder in sorted((p for p in stage.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()
        gen = self.home / f"g{time.time_ns()}-{os.getpid()}"
        final = record.model_copy(update={"outputs": honest, "generation": gen.name})
        manifest = stage / MANIFEST_NAME
        tmp = stage / f".{MANIFEST_NAME}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(dumps(final))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, manifest)
        old = self.generation()
        os.rename(stage, gen)
        if old is not None and not self.live.is_symlink():
            legacy = self.home / f"g0-legacy-{time.time_ns()}"
            os.rename(self.live, legacy)  # schema 1: the plain folder becomes an old generation
            old = legacy
        self._point_live(gen)
        update_on_commit(self.root, gen, final)  # the derived index of published bulletins (never fails the commit)
        if old is not None and old.resolve() != gen.resolve():
            self._remove(old)
        return final

    def _point_live(self, gen: Path) -> None:
        """Point ``outputs/<id>`` at ``gen`` in one rename (relative link: the outputs folder may move)."""
        tmp = self.home / f"live-{os.getpid()}.tmp"
        tmp.unlink(missing_ok=True)
        os.symlink(os.path.relpath(gen, self.root), tmp)
        os.replace(tmp, self.live)


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


# --------------------------------------------------------------------------- temp folders and interruption


def _system_tmp() -> Path:
    """The system temp folder, even while :func:`run_tempdir` redirects :mod:`tempfile`."""
    here = Path(tempfile.gettempdir())
    return here.parent if here.name.startswith(RUN_DIR_PREFIX) else here


#: Longest temp folder that still leaves room, within a UNIX socket's 107 bytes, for multiprocessing's socket names.
_SOCKET_DIR_MAX = 64


def _multiprocessing_tempdir() -> None:
    """Make multiprocessing's own temp folder now: outside the run's folder, and short enough for sockets.

    multiprocessing keeps one folder for the process's life (the render
    forkserver's socket lives there), so it must not be a run's folder, which
    is removed at the run's end.  A socket's path must fit in 107 bytes: under
    a long ``TMPDIR`` the folder goes in the runtime folder instead (else every
    render fails with "AF_UNIX path too long").  Called with no run active, so
    redirecting ``tempfile`` for a moment affects no one.
    """
    import multiprocessing.util

    previous = tempfile.tempdir
    if len(tempfile.gettempdir()) > _SOCKET_DIR_MAX:
        tempfile.tempdir = str(runtime_dir())
    try:
        multiprocessing.util.get_temp_dir()  # made once, kept for the process's life
    finally:
        tempfile.tempdir = previous


_RUN_DIR_LOCK = threading.Lock()
_RUN_DIR_USERS = 0
_RUN_DIR_PREVIOUS: list[str | None] = [None]  # tempfile.tempdir before the first user entered


@contextlib.contextmanager
def run_tempdir() -> Iterator[Path]:
    """A temp folder for this process's runs (``bantin-run-<pid>-*``) that ``tempfile`` uses meanwhile; removed at the end.

    ``tempfile.tempdir`` is process-wide, and a batch publishes several bulletins
    in threads at once: they share one folder, made by the first to enter and
    removed by the last to leave (else one bulletin's end would delete the temp
    files of a reading still running for another).  A killed run's folder is
    removed by the next run (:func:`clean_dead_run_dirs`).
    """
    global _RUN_DIR_USERS
    with _RUN_DIR_LOCK:
        if _RUN_DIR_USERS == 0:
            _multiprocessing_tempdir()
            folder = Path(tempfile.mkdtemp(prefix=f"{RUN_DIR_PREFIX}{os.getpid()}-", dir=_system_tmp()))
            _RUN_DIRS.add(folder)
            _RUN_DIR_PREVIOUS[0] = tempfile.tempdir
            tempfile.tempdir = str(folder)
        else:
            folder = Path(tempfile.gettempdir())
        _RUN_DIR_USERS += 1
    try:
        yield folder
    finally:
        with _RUN_DIR_LOCK:
            _RUN_DIR_USERS -= 1
            if _RUN_DIR_USERS == 0:
                tempfile.tempdir = _RUN_DIR_PREVIOUS[0]
                _RUN_DIRS.discard(folder)
                shutil.rmtree(folder, ignore_errors=True)


#: Temp folders older bantin versions made straight in the system temp folder, removed once this old (seconds).
LEGACY_TEMP_AGE_S = 6 * 3600


def clean_dead_run_dirs(base: Path | None = None) -> list[str]:
    """Remove ``bantin-run-<pid>-*`` temp folders whose process is gone (and stray reading folders hours old)."""
    base = base or _system_tmp()
    cleaned = []
    for pattern in ("bantin-reading-*", "bantin-gtts-*"):
        for folder in base.glob(pattern):
            with contextlib.suppress(OSError):
                if time.time() - folder.stat().st_mtime > LEGACY_TEMP_AGE_S:
                    shutil.rmtree(folder, ignore_errors=True)
                    cleaned.append(f"temp folder {folder.name}, hours old")
    for folder in base.glob(f"{RUN_DIR_PREFIX}*"):
        pid = folder.name[len(RUN_DIR_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            cleaned.append(f"temp folder {folder.name} of a killed run")
    return cleaned


def abort_active() -> list[str]:
    """On SIGINT/SIGTERM: drop the staging folders and temp folders of this process; what each record kept, in words.

    From here on no publish of this process swaps a generation in; one that is
    swapping right now finishes first (its record is then the new one, and says so).
    """
    _STOPPING.set()
    got = _COMMIT_LOCK.acquire(timeout=_COMMIT_WAIT_S)
    try:
        return _abort_active()
    finally:
        if got:
            _COMMIT_LOCK.release()


def _abort_active() -> list[str]:
    kept = []
    for store in list(_ACTIVE):
        store.abort()
        try:
            record = store.record()
        except Exception:
            record = None
        what = f"the record generated at {record.generated_at}" if record else "no record (never published)"
        kept.append(f"{store.id}: kept {what}")
    for folder in list(_RUN_DIRS):
        shutil.rmtree(folder, ignore_errors=True)
    return kept

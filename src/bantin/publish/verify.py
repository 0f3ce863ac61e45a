"""``bantin verify``: do the files of a bulletin still match its record?

Every listed file is hashed again; a listed file that is gone is *missing*, one
whose sha256 differs is *changed*; a file in the bulletin's folder that no entry
lists (other than bantin's own: the record, republish's state, render key
sidecars) is *unlisted*; an entry kept from an earlier publish whose inputs
differ from the current ones is *stale*.  A record path or a link that leads
outside the bulletin's generation is *unsafe*: reported, never followed or
hashed.  Missing, changed, unlisted and unsafe files are mismatches; stale
entries are reported (and count as mismatches only when asked).  An entry kept
as the *last good* edition after a failed stage is current, not stale.  An
index entry (:mod:`bantin.publish.index`) that disagrees with its record, or
is missing, is reported as *index* (a mismatch only when asked, like stale:
the files are true, the listing is not; ``bantin index rebuild`` fixes it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bantin.errors import BantinError, RecordError, UnsafeOutputError
from bantin.fsutil import contained, sha256_file
from bantin.publish.index import check_index
from bantin.publish.record import Record, read_record
from bantin.publish.store import STORE_DIR, BulletinStore, is_private

__all__ = ["Finding", "Verified", "known_bulletins", "verify_all", "verify_bulletin"]

MISMATCHES = frozenset({"missing", "changed", "unlisted", "unreadable", "unverifiable", "unsafe"})


@dataclass(frozen=True)
class Finding:
    """One thing wrong (or stale) in a bulletin's folder."""

    bulletin: str
    path: str
    problem: str  # missing, changed, unlisted, unsafe, stale, index, unreadable, unverifiable
    detail: str = ""


@dataclass(frozen=True)
class Verified:
    """What verifying one bulletin found."""

    bulletin: str
    generation: str
    checked: int
    findings: tuple[Finding, ...] = field(default=())

    def count(self, problem: str) -> int:
        return sum(1 for f in self.findings if f.problem == problem)

    def ok(self, strict: bool = False) -> bool:
        bad = MISMATCHES | ({"stale", "index"} if strict else set())
        return not any(f.problem in bad for f in self.findings)


def known_bulletins(root: Path) -> list[str]:
    """Ids of every bulletin under ``root`` that has a folder (or a link to a generation)."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(".") and p.is_dir())


def _current_stale(record: Record) -> set[str]:
    """Entries whose inputs differ from the current ones, when the bulletin's YAML is at hand (else the recorded flags)."""
    stale = {e.path for e in record.stale_entries()}
    kept = {e.path for e in record.outputs if e.last_good is not None}
    try:
        from bantin.content.bulletin_file import load_bulletin, resolve_bulletin
        from bantin.publish.keys import run_inputs

        source = resolve_bulletin(record.id)
        current = run_inputs(source, load_bulletin(source), sorted({e.locale for e in record.outputs}))
    except (BantinError, OSError):
        return stale
    for e in record.outputs:
        if e.inputs is not None and e.inputs.shared() != current.shared(e.locale) and e.path not in kept:
            stale.add(e.path)
    return stale


def _check(store: BulletinStore, folder: Path) -> Verified:
    try:
        record = read_record(folder)
    except UnsafeOutputError as exc:
        return Verified(store.id, folder.name, 0, (Finding(store.id, "manifest.json", "unsafe", str(exc)),))
    except RecordError as exc:
        return Verified(store.id, folder.name, 0, (Finding(store.id, "manifest.json", "unreadable", str(exc)),))
    if record is None:
        return Verified(store.id, folder.name, 0, (Finding(store.id, "manifest.json", "missing", "no record"),))
    findings: list[Finding] = []
    for e in record.outputs:
        path = contained(folder, e.path)
        if path is None:
            findings.append(Finding(store.id, e.path, "unsafe", "the path leads outside the bulletin's generation; never served or hashed"))
        elif not path.is_file():
            findings.append(Finding(store.id, e.path, "missing"))
        elif e.sha256 is None or e.bytes is None:
            findings.append(Finding(store.id, e.path, "unverifiable", "no size or sha256 recorded; publish again"))
        elif path.stat().st_size != e.bytes or sha256_file(path) != e.sha256:
            findings.append(Finding(store.id, e.path, "changed", f"sha256 differs from the record ({e.sha256[:12]}...)"))
    listed = record.listed_paths()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            findings.append(Finding(store.id, rel, "unsafe", f"a link to {path.resolve()}, which bantin never makes; remove it"))
        elif path.is_file() and rel not in listed and not is_private(rel, listed):
            findings.append(Finding(store.id, rel, "unlisted"))
    for rel in sorted(_current_stale(record)):
        findings.append(Finding(store.id, rel, "stale", "inputs changed since it was made; publish its locale again"))
    if (disagrees := check_index(store.root, store.id)) is not None:
        findings.append(Finding(store.id, "", "index", disagrees))
    return Verified(store.id, record.generation or "(schema 1 folder)", len(record.outputs), tuple(findings))


def verify_bulletin(bulletin_id: str, root: Path | None = None) -> Verified:
    """Verify one bulletin's current generation (checked again once if a publish swapped it meanwhile)."""
    store = BulletinStore(bulletin_id, root)
    for _ in range(2):
        try:
            folder = store.generation()
        except UnsafeOutputError as exc:
            return Verified(bulletin_id, "", 0, (Finding(bulletin_id, "", "unsafe", str(exc)),))
        if folder is None:
            return Verified(bulletin_id, "", 0, (Finding(bulletin_id, "", "missing", "no such bulletin in outputs/"),))
        result = _check(store, folder)
        if result.ok() or store.generation() == folder:
            return result
    return result


def verify_all(ids: Iterable[str], root: Path) -> list[Verified]:
    return [verify_bulletin(bid, root) for bid in ids if bid != STORE_DIR]

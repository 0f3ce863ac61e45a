"""Only Prefect's public API: every ``prefect`` import is in the README's list, and nothing private or patched.

The list in the README (between ``<!-- prefect-names -->`` markers) is the
whole set of Prefect names the project uses; a new one must be added there
(and be part of Prefect's documented API), a private one (``_``) never.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from testing_utils import ROOT

FOLDERS = ("flows", "tests", "benchmarks", "src")


def _files() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def _listed() -> set[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- prefect-names -->", 1)[1].split("<!-- /prefect-names -->", 1)[0]
    found: set[tuple[str, str]] = set()
    for module, names in re.findall(r"^- `([\w.]+)`: (.+)$", block, flags=re.M):
        found.update((module, name) for name in re.findall(r"`(\w+)`", names))
    return found


def _prefect_imports(path: Path) -> list[tuple[str, str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "prefect":
            out += [(node.module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            out += [(alias.name, "", node.lineno) for alias in node.names if alias.name.split(".")[0] == "prefect"]
    return out


def test_every_prefect_import_is_public_and_listed_in_the_readme() -> None:
    listed = _listed()
    private, unlisted = [], []
    for path in _files():
        for module, name, line in _prefect_imports(path):
            where = f"{path.relative_to(ROOT)}:{line}: {module}{'.' + name if name else ''}"
            if any(part.startswith("_") for part in module.split(".")) or name.startswith("_"):
                private.append(where)
            elif name and (module, name) not in listed:
                unlisted.append(where)
    assert not private, private
    assert not unlisted, f"add these to the README's list of Prefect names (public, documented ones only): {unlisted}"
    assert len(listed) < 70  # the list stays short


def _own_names() -> set[str]:
    """Every name the project itself defines (functions, classes, attributes it assigns, keywords it passes)."""
    names: set[str] = set()
    for path in _files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[-1])
    return names


#: Public names of the standard library that start with an underscore.
STDLIB_PUBLIC = {"_exit", "_asdict", "_replace", "_fields", "_make", "_current_frames"}


def test_no_private_attribute_of_prefect_and_no_monkeypatch() -> None:
    """An ``_attribute`` the project reads but never defines is someone else's private; Prefect's objects are never assigned to."""
    own = _own_names() | STDLIB_PUBLIC
    offenders = []
    for path in _files():
        text = path.read_text(encoding="utf-8")
        if "prefect" not in text:
            continue
        tree = ast.parse(text)
        imported = {
            (a.asname or a.name)
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "prefect"
            for a in node.names
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") and node.attr not in own:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}")
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    base = target
                    while isinstance(base, ast.Attribute):
                        base = base.value
                    if isinstance(target, ast.Attribute) and isinstance(base, ast.Name) and (base.id in imported or base.id == "prefect"):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: assigns to {ast.unparse(target)}")
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("setattr", "monkeypatch.setattr") and node.args:
                first = node.args[0]
                base = first
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name) and (base.id in imported or base.id == "prefect"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: patches {ast.unparse(first)}")
    assert not offenders, offenders


def test_importing_the_flows_leaves_the_environment_alone() -> None:
    """Nothing mutates os.environ at import time: Prefect's settings are the entry point's to set."""
    import subprocess
    import sys

    code = (
        "import os, json; before = dict(os.environ)\n"
        "import bantin.flows.flow, bantin.flows.add, bantin.flows.batch, bantin.flows.deploy, bantin.flows.desk_runner\n"
        "print(json.dumps(sorted(set(os.environ.items()) ^ set(before.items()))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout[-2000:]

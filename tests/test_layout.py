"""The package's shape: what imports what, and what a new user gets from an install.

These tests guard the layout the design fixes: the library ``bantin`` never
imports Prefect; the Prefect layer is ``bantin.flows`` and never a bare
``flows``; light entry points (the portal, ``bantin --help``) load no PDF
machinery; and every environment variable is read in ``bantin.settings``.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from testing_utils import ROOT

SRC = ROOT / "src" / "bantin"


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_library_never_imports_prefect() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in _python_files(SRC)
        for module in _imported_modules(path)
        if module == "prefect" or module.startswith("prefect.")
    ]
    assert not offenders, offenders


def test_the_library_never_imports_the_prefect_layer() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in _python_files(SRC)
        for module in _imported_modules(path)
        if module.startswith("bantin.flows") and path.name != "cli.py"  # the CLI starts flows, inside its commands
    ]
    assert not offenders, offenders


def test_relative_imports_are_not_used() -> None:
    """Absolute imports only, so a module reads the same wherever it is installed."""
    offenders = []
    for path in _python_files(SRC) + _python_files(ROOT / "flows"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(ROOT)}:{n.lineno}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]
    assert not offenders, offenders


#: Stage order: a module may import its own stage and those before it, never later ones.
STAGES = ("content", "i18n", "render", "braille", "speech", "epub", "publish", "portal")
ALLOWED = {
    "content": {"content"},
    "i18n": {"content", "i18n"},
    "render": {"content", "i18n", "render"},
    "braille": {"content", "i18n", "braille"},
    "speech": {"content", "i18n", "speech"},
    "epub": {"content", "i18n", "speech", "epub"},
    "publish": {"content", "i18n", "render", "braille", "speech", "epub", "publish"},
    "portal": {"content", "i18n", "publish", "portal"},
}


def test_data_flows_one_way() -> None:
    offenders = []
    for stage in STAGES:
        for path in _python_files(SRC / stage):
            for module in _imported_modules(path):
                parts = module.split(".")
                if len(parts) > 1 and parts[0] == "bantin" and parts[1] in STAGES and parts[1] not in ALLOWED[stage]:
                    offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offenders, offenders


def test_the_prefect_layer_never_imports_the_cli() -> None:
    """No import cycle: the CLI starts flows inside its commands; the flows never import ``bantin.cli``."""
    offenders = [
        f"{p.relative_to(ROOT)}: {m}" for p in _python_files(ROOT / "flows") for m in _imported_modules(p) if m == "bantin.cli" or m.startswith("bantin.cli.")
    ]
    assert not offenders, offenders


def test_test_module_names_are_unique() -> None:
    """pytest imports test modules by basename (rootdir mode, no __init__.py): two of one name fail collection."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_only_settings_reads_the_environment() -> None:
    offenders = []
    for path in _python_files(SRC) + _python_files(ROOT / "flows"):
        if path.name == "settings.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and isinstance(node.value, ast.Name) and node.value.id == "os":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def _run(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd or ROOT, capture_output=True, text=True, env=env, check=False, timeout=120)


def test_flows_is_never_importable_as_flows(tmp_path: Path) -> None:
    from_elsewhere = _run("import flows", cwd=tmp_path)
    assert from_elsewhere.returncode != 0 and "ModuleNotFoundError" in from_elsewhere.stderr
    from_the_checkout = _run("import flows")  # the checkout's own folder is on sys.path here
    assert from_the_checkout.returncode != 0 and "import it as 'bantin.flows'" in from_the_checkout.stderr
    assert _run("import bantin.flows.tasks").returncode == 0


def _loaded_after(statement: str) -> set[str]:
    result = _run(f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))")
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_the_portal_loads_no_pdf_machinery() -> None:
    loaded = _loaded_after("import bantin.portal")
    assert not {"weasyprint", "pikepdf", "prefect", "segno", "scipy"} & loaded


def test_reading_deployments_config_loads_no_pdf_machinery() -> None:
    loaded = _loaded_after("from bantin.publish.deployments import load_config\nload_config()")
    assert not {"weasyprint", "pikepdf", "prefect"} & loaded


def test_bantin_help_imports_no_heavy_library() -> None:
    loaded = _loaded_after("from bantin.cli import cli\ntry:\n    cli(['--help'], prog_name='bantin')\nexcept SystemExit:\n    pass")
    assert not {"weasyprint", "pikepdf", "prefect", "babel", "jinja2", "yaml", "starlette", "numpy", "scipy"} & loaded


def test_outside_a_project_every_command_says_to_run_init(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}
    bantin = Path(sys.executable).with_name("bantin")
    for args in (["publish", "x"], ["ingest", "x.txt"], ["i18n", "status"], ["portal", "--export", "out"]):
        result = subprocess.run([str(bantin), *args], cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=120)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and "bantin init" in result.stderr and "Traceback" not in result.stderr, result.stderr


@pytest.mark.slow
def test_a_wheel_install_runs_a_project_outside_the_checkout(tmp_path: Path) -> None:
    """pip install (not editable) into a fresh venv, init a project elsewhere, ingest and publish there."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    vpy = venv / "bin" / "python"
    site = subprocess.run([str(vpy), "-c", "import site; print(site.getsitepackages()[0])"], capture_output=True, text=True, check=True).stdout.strip()
    # The dependencies come from the test venv (a .pth line adds its site-packages after the new venv's own);
    # bantin itself is built and installed as a wheel from the checkout.
    deps = next(p for p in sys.path if p.endswith("site-packages"))
    Path(site, "zz_bantin_test_deps.pth").write_text(deps + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANTIN_", "PREFECT_")) and k != "PYTHONPATH"}
    env["DO_NOT_TRACK"] = "1"
    install = subprocess.run(
        [str(vpy), "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check", str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    found = subprocess.run([str(vpy), "-c", "import bantin; print(bantin.__file__)"], cwd=tmp_path, capture_output=True, text=True, env=env, check=True)
    assert found.stdout.strip().startswith(site), "bantin must come from the installed wheel, not the checkout"
    assert subprocess.run([str(vpy), "-c", "import flows"], cwd=tmp_path, capture_output=True, env=env, check=False).returncode != 0

    bantin = str(venv / "bin" / "bantin")
    project = tmp_path / "p"
    run = lambda *args: subprocess.run([bantin, *args], cwd=project, capture_output=True, text=True, env=env, check=False, timeout=600)  # noqa: E731
    init = subprocess.run([bantin, "init", str(project), "--centre", "Trung tâm thử"], capture_output=True, text=True, env=env, check=False)
    assert init.returncode == 0, init.stderr
    assert (project / "bantin.toml").is_file() and (project / "deployments.yaml").is_file()
    assert (project / "locales" / "vi" / "locale.yaml").is_file() and (project / "locales" / "en" / "LC_MESSAGES" / "chrome.po").is_file()
    raw = next((project / "content" / "raw").glob("*.txt"))
    ingest = run("ingest", str(raw.relative_to(project)))
    assert ingest.returncode == 0, ingest.stderr
    bulletin = next((project / "content").glob("*.yaml"))
    try:  # the default: the project's own Prefect server, started on first use, and its warm process
        publish = run("publish", bulletin.stem, "--engine", "espeak", "--profile", "a5")
    finally:
        stopped = run("server", "stop")
    assert publish.returncode == 0, publish.stderr[-3000:]
    assert "starting the project's Prefect server" in publish.stderr and stopped.returncode == 0, stopped.stderr
    out = project / "outputs" / bulletin.stem
    assert (out / "manifest.json").is_file()
    assert list(out.glob("vi/*.a5.pdf")) and list(out.glob("vi/*.mp3"))
    assert (project / ".prefect").is_dir()
    generated = ("outputs", ".prefect", ".cache", "manifest.json")
    leaked = [p for p in Path(site).rglob("*") if p.name in generated or p.suffix in (".pdf", ".mp3") or "bulletins" in p.parts]
    assert not leaked, leaked

"""Constants and helpers shared by the tests (imported as a plain module: tests/ is on pythonpath)."""

from __future__ import annotations

import itertools
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHIPPED_LOCALES = ROOT / "src" / "bantin" / "data" / "locales"
SAMPLE_RAW = ROOT / "content" / "raw" / "dan-van-quy-ii-2024.txt"
SAMPLE_YAML = ROOT / "content" / "2024-06-28-hoi-nghi-giao-ban-cong-tac-dan-van-cac-huyen-uy-thanh-uy-quy-ii-trien.yaml"
SAMPLE_TITLE = "Hội nghị giao ban công tác dân vận các Huyện ủy, Thành ủy quý II triển khai nhiệm vụ quý III năm 2024"


def pdf_text(path: Path) -> str:
    """All text of a PDF, whitespace folded, NFC (pypdfium2's extraction)."""
    import pypdfium2 as pdfium

    from bantin.textutil import normalize_space

    pdf = pdfium.PdfDocument(str(path))
    try:
        text = " ".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()
    return normalize_space(text.replace("\r", " ").replace("\n", " "))


SAMPLE_ID = SAMPLE_YAML.stem
SAMPLE_TITLE_EN = (
    "Briefing conference on the mass mobilization work of the district and city Party Committees"
    " in the second quarter sets out the tasks for the third quarter of 2024"
)

#: Pseudo-locale ``xx``: ASCII vowels, c and n get Latin-1 accents (clean upper/lower pairs, covered by
#: Noto), the whole string is bracketed; ``{placeholders}`` and ``%(placeholders)s`` are kept so formatting still works.
_PSEUDO = str.maketrans("aeioucnAEIOUCN", "àéîöüçñÀÉÎÖÜÇÑ")


def pseudo(text: str) -> str:
    """The ``xx`` form of a string: '[Bảñ tîñ]' for 'Bản tin', '[Tràñg {page}/{pages}]' for 'Trang {page}/{pages}'."""
    import re

    parts = re.split(r"(\{[a-z_]+\}|%\([a-z_]+\)[sd])", text)
    return "[" + "".join(p if p.startswith(("{", "%(")) else p.translate(_PSEUDO) for p in parts) + "]"


def make_pseudo_locale(root: Path, bulletin) -> Path:
    """A locales root holding ``vi`` and the pseudo-locale ``xx``: chrome and ``bulletin`` fully pseudo-translated."""
    import shutil

    from babel.messages import Catalog

    from bantin.i18n.catalogs import bulletin_po_path, chrome_po_path, write_catalog
    from bantin.i18n.templates import bulletin_template, chrome_template

    shutil.copytree(SHIPPED_LOCALES / "vi", root / "vi")
    (root / "xx").mkdir(parents=True)
    (root / "xx" / "locale.yaml").write_text(
        "code: xx\nname: Pseudo\nname_vi: Giả lập\nscript: Latn\nfonts: {serif: Noto Serif, sans: Noto Sans}\n"
        "cldr: en\nhyphenation: null\naudio: {engines: []}\n",
        encoding="utf-8",
    )
    for template, path in ((chrome_template(), chrome_po_path("xx", root)), (bulletin_template(bulletin), bulletin_po_path("xx", bulletin.id, root))):
        catalog = Catalog(locale="xx", fuzzy=False, charset="utf-8")
        for m in template:
            if m.id:
                catalog.add(m.id, pseudo(m.id), context=m.context)
        write_catalog(path, catalog, sort=False)
    return root


# --------------------------------------------------------------------------- variants for other scripts

#: Real Khmer sentences (neutral news style), used as a shaping fixture until Khmer catalogs exist.
KHMER_TITLE = "ព័ត៌មានខេត្ត៖ កិច្ចប្រជុំប្រចាំត្រីមាស"
KHMER_SENTENCES = (
    "កិច្ចប្រជុំបានប្រព្រឹត្តទៅនៅខេត្តដាក់ណុង។",
    "ប្រជាជនបានចូលរួមយ៉ាងច្រើន។",
    "ថ្ងៃនេះ អាកាសធាតុល្អ ហើយមានភ្លៀងបន្តិចនៅពេលល្ងាច។",
)
ENGLISH_TITLE = "Quarterly meeting on community outreach work"
ENGLISH_SENTENCE = (
    "The provincial communication centre reported that the district committees reviewed their community "
    "outreach work for the second quarter and agreed on extraordinarily comprehensive responsibilities for the third."
)


def make_variant(bulletin, code: str):
    """A variant of ``bulletin`` in ``code`` built directly (no catalogs): real text in the target script."""
    from babel.dates import format_date

    from bantin.i18n.locales import load_locale
    from bantin.i18n.localize import Variant

    locale = load_locale(code)
    if code == "km":

        def text(unit) -> str:
            return KHMER_TITLE if unit.key == "title" else " ".join(KHMER_SENTENCES)
    elif code == "en":

        def text(unit) -> str:
            return ENGLISH_TITLE if unit.key == "title" else ENGLISH_SENTENCE
    else:
        raise ValueError(f"no fixture text for {code}")
    return Variant(
        locale=locale,
        bulletin=bulletin.replace_text(text, code),
        date_text=format_date(bulletin.date, format="full", locale=locale.babel_locale),
        chrome=(),
    )


# --------------------------------------------------------------------------- PDF checks

A4_PT = (595.28, 841.89)
A5_PT = (419.53, 595.28)


def _walk_struct(node, seen: set, out: list) -> None:
    import pikepdf

    stack = [node]
    while stack:
        el = stack.pop()
        if not isinstance(el, pikepdf.Dictionary):
            continue
        if el.is_indirect:
            if el.objgen in seen:
                continue
            seen.add(el.objgen)
        if "/S" in el:
            out.append(el)
        kids = el.get("/K")
        if isinstance(kids, pikepdf.Array):
            stack.extend(reversed(list(kids)))
        elif kids is not None:
            stack.append(kids)


def struct_elements(pdf) -> list:
    """Every structure element reachable from /StructTreeRoot, in document order."""
    out: list = []
    _walk_struct(pdf.Root.StructTreeRoot, set(), out)
    return out


def pdf_structure_problems(path: Path, lang: str) -> list[str]:
    """What keeps a PDF from bantin's accessibility checks (empty when it passes).

    /MarkInfo Marked, /StructTreeRoot, /Lang, XMP pdfuaid:part 1, DisplayDocTitle,
    title/author/subject/keywords/creation date, every font embedded and subset,
    every /Figure with /Alt, headings in order, margin boxes as artifacts.
    """
    import pikepdf

    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        if not ("/MarkInfo" in root and bool(root.MarkInfo.get("/Marked"))):
            problems.append("/MarkInfo Marked is not true")
        if "/StructTreeRoot" not in root:
            return [*problems, "no /StructTreeRoot"]
        if str(root.get("/Lang", "")) != lang:
            problems.append(f"/Lang is {root.get('/Lang')!r}, not {lang!r}")
        if pdf.open_metadata().get("pdfuaid:part") != "1":
            problems.append("XMP pdfuaid:part is not 1")
        prefs = root.get("/ViewerPreferences")
        if not (prefs is not None and bool(prefs.get("/DisplayDocTitle"))):
            problems.append("DisplayDocTitle is not true")
        for key in ("/Title", "/Author", "/Subject", "/Keywords", "/CreationDate"):
            if not str(pdf.docinfo.get(key, "")):
                problems.append(f"no {key} in the document info")
        for n, page in enumerate(pdf.pages, start=1):
            for font in page.Resources.get("/Font", {}).values():
                desc_font = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                desc = desc_font.get("/FontDescriptor")
                if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    problems.append(f"page {n}: font {font.get('/BaseFont')} is not embedded")
                elif "+" not in str(font.get("/BaseFont", "")):
                    problems.append(f"page {n}: font {font.get('/BaseFont')} is not subset")
        elements = struct_elements(pdf)
        for el in elements:
            if str(el.S) == "/Figure" and not str(el.get("/Alt", "")).strip():
                problems.append("a /Figure has no /Alt")
        levels = [int(str(el.S)[2:]) for el in elements if str(el.S)[:2] == "/H" and str(el.S)[2:].isdigit()]
        if not levels or levels[0] != 1 or any(b - a > 1 for a, b in itertools.pairwise(levels)):
            problems.append(f"headings out of order: {levels}")
        reachable = {el.objgen for el in elements}
        nums = root.StructTreeRoot.ParentTree.Nums
        for i in range(0, len(nums), 2):
            arr = nums[i + 1]
            if isinstance(arr, pikepdf.Array) and any(isinstance(el, pikepdf.Dictionary) and el.objgen not in reachable for el in arr):
                problems.append(f"parent tree {int(nums[i])}: marked content outside the structure tree (not an artifact)")
    return problems


def artifact_count(path: Path) -> list[int]:
    """Per page, how many /Artifact <</Type /Pagination>> sequences the content stream has."""
    import pikepdf

    counts = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            n = 0
            for operands, op in pikepdf.parse_content_stream(page):
                if (
                    str(op) == "BDC"
                    and str(operands[0]) == "/Artifact"
                    and isinstance(operands[1], pikepdf.Dictionary)
                    and str(operands[1].get("/Type")) == "/Pagination"
                ):
                    n += 1
            counts.append(n)
    return counts


def page_boxes(path: Path) -> dict[str, tuple[float, ...]]:
    """MediaBox, TrimBox and BleedBox of page 1 (absent boxes left out), in pt."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        page = pdf.pages[0].obj
        return {k[1:]: tuple(round(float(x), 2) for x in page[k]) for k in ("/MediaBox", "/TrimBox", "/BleedBox") if k in page}


def char_sizes(path: Path) -> list[tuple[str, float]]:
    """(character, size in pt) for every non-blank glyph pdfplumber finds (size includes the text and page matrices)."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [(c["text"], float(c["size"])) for page in pdf.pages for c in page.chars if c["text"].strip()]


def body_size(path: Path) -> float:
    """The most common glyph size of a PDF, in pt (0.1 pt steps): the size of its running text."""
    from collections import Counter

    sizes = Counter(round(size, 1) for _, size in char_sizes(path))
    return sizes.most_common(1)[0][0]


def glyph_ids(path: Path) -> list[int]:
    """Every glyph id shown with a Type0 (Identity-H, 2-byte) font in the PDF's content streams."""
    import pikepdf

    gids: list[int] = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            fonts = page.Resources.get("/Font", {})
            current = None
            for operands, op in pikepdf.parse_content_stream(page):
                name = str(op)
                if name == "Tf":
                    current = fonts.get(str(operands[0]))
                elif name in ("Tj", "TJ", "'", '"') and current is not None and str(current.get("/Subtype")) == "/Type0":
                    items = operands[0] if name == "TJ" else [operands[-1]]
                    for item in items:
                        if isinstance(item, pikepdf.String):
                            raw = bytes(item)
                            gids += [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
    return gids


def mean_pixel_difference(a: Path, b: Path) -> float:
    """Mean absolute difference per channel (0–255) between two images of the same size; inf if sizes differ."""
    from PIL import Image, ImageChops, ImageStat

    with Image.open(a) as ia, Image.open(b) as ib:
        x, y = ia.convert("RGB"), ib.convert("RGB")
        if x.size != y.size:
            return float("inf")
        return sum(ImageStat.Stat(ImageChops.difference(x, y)).mean) / 3


# Recorded gTTS exchanges (see tests/speech/data/README.md), replayed with `responses`.
SPEECH_DATA = Path(__file__).parent / "speech" / "data"
BATCHEXECUTE = re.compile(r"https://translate\.google\.[a-z.]+/_/TranslateWebserverUi/data/batchexecute")
GTTS_OK_BODY = (SPEECH_DATA / "gtts_batchexecute_200.txt").read_text(encoding="utf-8")
GTTS_TOO_MANY = (SPEECH_DATA / "gtts_batchexecute_429.html").read_text(encoding="utf-8")


def ebur128(path: Path) -> tuple[float, float, float]:
    """Integrated loudness (LUFS), true peak (dBTP) and loudness range (LU) of a file, measured by ffmpeg on its own."""
    probe = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = probe.stderr[probe.stderr.rfind("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    true_peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+) dBFS", summary)
    lra = re.search(r"LRA:\s+(-?[\d.]+) LU", summary)
    assert integrated and true_peak and lra, summary
    return float(integrated.group(1)), float(true_peak.group(1)), float(lra.group(1))


def wait_until(predicate: Any, timeout: float, what: str, log: Path | None = None, interval: float = 0.5) -> Any:
    """Poll ``predicate`` until it gives a true value (an HTTP error counts as not yet); fail with the log's tail after ``timeout``."""
    import time

    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        time.sleep(interval)
    tail = log.read_text(errors="replace")[-3000:] if log and log.is_file() else ""
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}\n{tail}")


#: Debian's Chromium, driven by Playwright (never `playwright install`), with the flags the browser tests use.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium under Playwright, closed at the end of the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


#: The axe-core rule tags every page of the portal and the desk must pass.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def assert_axe_clean(page: Any) -> None:
    """axe-core (bundled by axe-playwright-python) finds no violation of :data:`AXE_TAGS` on ``page``."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def screenshot(page: Any, folder: Path, name: str) -> None:
    """A full-page PNG of ``page`` as ``folder/name.png`` (under test-artifacts/, git-ignored)."""
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@contextmanager
def served_in_thread(app: Any, port: int, what: str = "the app") -> Iterator[str]:
    """``app`` under uvicorn on 127.0.0.1:``port`` in a thread, for a real browser; stopped at the end of the block."""
    import threading
    import time

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# --------------------------------------------------------------------------- DAISY Ace

#: DAISY Ace (@daisy/ace-cli, the `ace` command on Puppeteer), installed by `make setup` with npm; never a browser download.
ACE_CLI = ROOT / ".cache" / "npm" / "ace" / "node_modules" / "@daisy" / "ace-cli" / "bin" / "ace.js"


def ace(epub: Path, out: Path) -> subprocess.Popen[bytes]:
    """Start DAISY Ace on ``epub`` (Node, Debian's Chromium headless, no sandbox); its report goes to ``out/report.json``.

    Its logs and settings go under ``out`` too (HOME and the XDG folders), never the user's.
    """
    import os
    import shutil

    node = shutil.which("node")
    assert node and ACE_CLI.is_file(), f"DAISY Ace is not installed ({ACE_CLI}): run 'make setup' (needs the Debian packages nodejs and npm)"
    home = out.parent / f"{out.name}-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM),
        "PUPPETEER_SKIP_DOWNLOAD": "1",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        # Ace gives Chromium 5 s to start by default; a loaded 2-core machine (CI) can need more.
        "ACE_TIMEOUT_INITIAL": "60000",
    }  # TMPDIR stays short: Chromium's singleton socket path must fit in 108 bytes
    cmd = [node, str(ACE_CLI), "--silent", "--force", "--outdir", str(out), str(epub)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)


def ace_violations(proc: subprocess.Popen[bytes], out: Path, timeout: float = 300) -> list[str]:
    """Wait for an :func:`ace` run; every violation of its report as 'document: rule (impact)' (empty when it passes)."""
    import json

    log, _ = proc.communicate(timeout=timeout)
    report = out / "report.json"
    if proc.returncode != 0 or not report.is_file():
        logs = "".join(f.read_text(errors="replace")[-3000:] for f in (out.parent / f"{out.name}-home").rglob("*.log"))
        raise AssertionError(f"Ace failed ({proc.returncode}): {log.decode(errors='replace')[-1000:]}{logs}")
    data = json.loads(report.read_text(encoding="utf-8"))
    found = [
        f"{doc['earl:testSubject']['url']}: {a['earl:test']['dct:title']} ({a['earl:test']['earl:impact']})"
        for doc in data["assertions"]
        for a in doc["assertions"]
        if a["earl:result"]["earl:outcome"] == "fail"
    ]
    if data["earl:result"]["earl:outcome"] != "pass" and not found:
        found.append(f"outcome {data['earl:result']['earl:outcome']} with no assertion failed")
    return found


def wait_for_line(proc: subprocess.Popen[str], text: str, timeout: float = 240) -> str:
    """Read ``proc``'s stderr until a line holds ``text`` (the run reached that point); what was read. Fails with the tail after ``timeout``."""
    import time

    assert proc.stderr is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"{text!r} never showed: {seen[-2000:]}")

"""Constants and helpers shared by the tests (imported as a plain module: tests/ is on pythonpath)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLE_RAW = ROOT / "content" / "raw" / "dan-van-quy-ii-2024.txt"
SAMPLE_YAML = ROOT / "content" / "2024-06-28-hoi-nghi-giao-ban-cong-tac-dan-van-cac-huyen-uy-thanh-uy-quy-ii-trien.yaml"
SAMPLE_TITLE = "Hội nghị giao ban công tác dân vận các Huyện ủy, Thành ủy quý II triển khai nhiệm vụ quý III năm 2024"


def pdf_text(path: Path) -> str:
    """All text of a PDF, whitespace folded, NFC (pypdfium2's extraction)."""
    import pypdfium2 as pdfium

    from flows.textutil import normalize_space

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
#: Noto), the whole string is bracketed; ``{placeholders}`` are kept so formatting still works.
_PSEUDO = str.maketrans("aeioucnAEIOUCN", "àéîöüçñÀÉÎÖÜÇÑ")


def pseudo(text: str) -> str:
    """The ``xx`` form of a string: '[Bảñ tîñ]' for 'Bản tin', '[Tràñg {page}/{pages}]' for 'Trang {page}/{pages}'."""
    import re

    parts = re.split(r"(\{[a-z_]+\})", text)
    return "[" + "".join(p if p.startswith("{") else p.translate(_PSEUDO) for p in parts) + "]"


def make_pseudo_locale(root: Path, bulletin) -> Path:
    """A locales root holding ``vi`` and the pseudo-locale ``xx``: chrome and ``bulletin`` fully pseudo-translated."""
    import shutil

    from babel.messages import Catalog

    from flows.i18n import _write_catalog, bulletin_po_path, bulletin_template, chrome_po_path, chrome_template

    shutil.copytree(ROOT / "locales" / "vi", root / "vi")
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
        _write_catalog(path, catalog, sort=False)
    return root

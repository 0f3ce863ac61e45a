"""Small Word documents built in the test: a .docx is a ZIP of a few XML parts, written here with zipfile."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_NUMBERING = (
    '<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>'
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style></w:styles>'
)
#: A 1×1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def para(text: str, *, heading: bool = False, bold: bool = False, bullet: bool = False) -> str:
    """One Word paragraph: a heading, a bulleted item, or running text (bold when asked)."""
    props = ('<w:pStyle w:val="Heading1"/>' if heading else "") + ('<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>' if bullet else "")
    ppr = f"<w:pPr>{props}</w:pPr>" if props else ""
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def image(alt: str) -> str:
    """A paragraph holding the embedded PNG, described by ``alt`` (Word's "Alt Text")."""
    return (
        f'<w:p><w:r><w:drawing><wp:inline><wp:extent cx="100" cy="100"/><wp:docPr id="1" name="Picture 1" descr={quoteattr(alt)}/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
        f'<pic:nvPicPr><pic:cNvPr id="0" name="p.png" descr={quoteattr(alt)}/><pic:cNvPicPr/></pic:nvPicPr>'
        '<pic:blipFill><a:blip r:embed="rIdImg1"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic>'
        "</wp:inline></w:drawing></w:r></w:p>"
    )


def docx(*paragraphs: str, extra: dict[str, bytes] | None = None, document: str | None = None) -> bytes:
    """A .docx holding ``paragraphs`` (made with :func:`para` and :func:`image`); ``extra`` adds or replaces parts."""
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": _TYPES,
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/_rels/document.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rIdImg1" Type="{_REL}/image" Target="media/image1.png"/>'
            f'<Relationship Id="rIdNum" Type="{_REL}/numbering" Target="numbering.xml"/>'
            f'<Relationship Id="rIdSty" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "word/numbering.xml": _NUMBERING,
        "word/styles.xml": _STYLES,
        "word/media/image1.png": PNG,
        "word/document.xml": document or f'<?xml version="1.0" encoding="UTF-8"?><w:document {_NS}><w:body>{"".join(paragraphs)}</w:body></w:document>',
    }
    parts.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


LEAD = "Sáng 28/6/2024, tại Hội trường huyện ủy, Ban Dân vận Huyện ủy tổ chức hội nghị giao ban công tác dân vận quý II năm 2024."
SECOND = "Các đại biểu đã thảo luận nhiều nội dung quan trọng và thống nhất phương hướng nhiệm vụ trong thời gian tới."


def bulletin_docx(*, credit: str = "Tin: Hà My") -> bytes:
    """A bulletin as operators type it in Word: a heading, the lead, a bold paragraph, a photo, a list, a credit line."""
    return docx(
        para("Hội nghị giao ban công tác dân vận quý II", heading=True),
        para(LEAD),
        para(SECOND, bold=True),
        image("Quang cảnh hội nghị giao ban"),
        para("Hội nghị đánh giá cao kết quả đạt được:"),
        para("Tiêm chủng đạt 95,5% kế hoạch", bullet=True),
        para("Xây dựng 12 nhà đại đoàn kết", bullet=True),
        para(credit),
    )

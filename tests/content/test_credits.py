"""Credits: the label the source gave ("Tin:", "Bài và ảnh:") is kept and printed; a closing sign-off is the byline."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bantin.braille.transcribe import braille_blocks
from bantin.content.bulletin_file import dump_bulletin, load_bulletin
from bantin.content.ingest import credit_label, parse_bulletin, sign_off
from bantin.content.model import CREDIT_LABELS, Bulletin, Paragraph
from bantin.errors import BulletinValidationError
from bantin.i18n.localize import localize
from bantin.render.html import build_html

LEAD = "Sáng 28/6/2024, tại Hội trường huyện ủy, Ban Dân vận Huyện ủy tổ chức hội nghị giao ban công tác dân vận quý II năm 2024."
LAST = "Người dân liên hệ trạm y tế xã để được hướng dẫn."


def bulletin_with(*closing: str) -> Bulletin:
    return parse_bulletin("\n\n".join(["Hội nghị giao ban quý II", LEAD, LAST, *closing]) + "\n")


@pytest.mark.parametrize(
    ("line", "byline", "label"),
    [
        ("Tin: Hà My", "Hà My", "Tin"),
        ("Tin, ảnh: Thu Hà", "Thu Hà", "Tin, ảnh"),
        ("(Tin và ảnh: Thu Hà)", "Thu Hà", "Tin, ảnh"),
        ("Bài và ảnh: Quốc Việt", "Quốc Việt", "Bài, ảnh"),
        ("Bài: Quốc Việt", "Quốc Việt", "Bài"),
        ("PV: Minh Anh", "Minh Anh", "Phóng viên"),
        ("Thực hiện: Nhóm PV", "Nhóm PV", "Thực hiện"),
        ("Hà My – Trung tâm VH-TT&TT huyện", "Hà My – Trung tâm VH-TT&TT huyện", "Tin"),
        ("(Nguyễn Văn An - Đài Truyền thanh xã Ea Pô)", "Nguyễn Văn An - Đài Truyền thanh xã Ea Pô", "Tin"),
    ],
)
def test_the_credit_the_source_gave_is_kept(line: str, byline: str, label: str) -> None:
    bulletin = bulletin_with(line)
    assert (bulletin.byline, bulletin.byline_label, bulletin.credit_label) == (byline, label, label)
    assert bulletin.body == (Paragraph(LEAD), Paragraph(LAST))  # the credit is not body text


def test_a_sign_off_before_the_source_line_is_still_the_byline() -> None:
    bulletin = bulletin_with("Hà My – Trung tâm VH-TT&TT huyện", "Nguồn: Trung tâm VH-TT&TT huyện")
    assert bulletin.byline == "Hà My – Trung tâm VH-TT&TT huyện" and bulletin.source == "Trung tâm VH-TT&TT huyện"


@pytest.mark.parametrize(
    "line",
    [
        "Ông Lê Văn A - Chủ tịch UBND huyện phát biểu chỉ đạo tại hội nghị.",  # a sentence: ends with a full stop
        "Hội nghị – những con số ấn tượng",  # lower-case words are not a name
        "Kết luận: Hà My – Trung tâm",  # a colon
        "Đồng chí Nguyễn Văn An – Bí thư Huyện ủy, Trưởng Ban Chỉ đạo phát biểu và giao nhiệm vụ cho các xã, thị trấn trong thời gian tới",
    ],
)
def test_a_last_paragraph_that_is_not_a_sign_off_stays(line: str) -> None:
    assert sign_off(line) is None
    bulletin = bulletin_with(line)
    assert bulletin.byline is None and bulletin.body[-1] == Paragraph(line)


def test_a_lone_sign_off_is_not_taken_from_a_one_paragraph_bulletin() -> None:
    """The only paragraph is never emptied into the byline."""
    bulletin = parse_bulletin(f"Tiêu đề\n\n{LEAD}\n")
    assert bulletin.byline is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_sign_off_is_total_and_a_line_of_the_input(line: str) -> None:
    found = sign_off(line)
    assert found is None or (found in line and found.strip() == found and " " in found)
    assert credit_label(line) in CREDIT_LABELS


def test_the_label_survives_yaml(tmp_path) -> None:
    bulletin = bulletin_with("Tin: Hà My")
    path = tmp_path / "b.yaml"
    text = dump_bulletin(bulletin)
    assert "byline: Hà My\nbyline_label: Tin\n" in text
    path.write_text(text, encoding="utf-8")
    assert load_bulletin(path) == bulletin
    path.write_text(text.replace("byline_label: Tin", "byline_label: tin, ẢNH"), encoding="utf-8")
    assert load_bulletin(path).byline_label == "Tin, ảnh"
    path.write_text(text.replace("byline_label: Tin", "byline_label: Ảnh chụp"), encoding="utf-8")
    with pytest.raises(BulletinValidationError, match="field 'byline_label': 'Ảnh chụp' is not a credit label") as err:
        load_bulletin(path)
    assert err.value.field == "byline_label"
    assert "byline_label" not in dump_bulletin(dataclasses.replace(bulletin, byline_label=None))  # old files stay as they were


def test_print_and_braille_show_the_label_the_source_gave() -> None:
    bulletin = Bulletin("2024-06-28-x", "Hội nghị giao ban quý II", dt.date(2024, 6, 28), (Paragraph(LEAD),), byline="Hà My", byline_label="Tin")
    html = build_html(localize(bulletin, "vi"))
    assert 'class="label">Tin:</span> Hà My' in html and "Tin, ảnh" not in html
    braille = " ".join(str(plan) for plan in braille_blocks(localize(bulletin, "vi")))
    assert "Tin:" in braille and "Tin, ảnh" not in braille
    unlabelled = build_html(localize(dataclasses.replace(bulletin, byline_label=None), "vi"))
    assert 'class="label">Tin, ảnh:</span> Hà My' in unlabelled  # files without a label print as before

"""HTML ingest: saved news pages with navigation, sidebars and footers become the same bulletin as their text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from bantin.content.bulletin_file import load_bulletin, save_bulletin
from bantin.content.html import PHOTO_NOT_DOWNLOADED, decode_html, extract_page, parse_bulletin_html, read_bulletin_html
from bantin.content.ingest import read_bulletin
from bantin.content.model import BulletList, Paragraph, Photo
from bantin.errors import IngestError
from testing_utils import DATA, SAMPLE_TITLE

PAGES = DATA / "html"
PORTAL = PAGES / "daknong-dan-van-quy-ii-2024.html"
NEWSPAPER = PAGES / "baodaknong-tinh-nguyen-he.html"
OLD_PORTAL = PAGES / "krongno-sau-rieng-cp1258.html"  # table layout, Windows-1258, no metadata at all
MODERN = PAGES / "baotintuc-pho-di-bo.html"  # lead in <h2 class="detail-sapo">, figure first, author's name as the last line
LISTING = PAGES / "daknong-chuyen-muc.html"

# Text that is on the pages but is page furniture, never bulletin text.
BOILERPLATE = [
    "Trang chủ",
    "Giới thiệu",
    "Tin tức - Sự kiện",
    "Tìm kiếm",
    "Liên hệ",
    "Chia sẻ",
    "Facebook",
    "Zalo",
    "Tweet",
    "In bài viết",
    "Gửi email",
    "Lượt xem",
    "Cỡ chữ",
    "Từ khóa",
    "Tags",
    "Ý kiến bạn đọc",
    "Bài viết rất hay",
    "Tin liên quan",
    "quý I năm 2024",
    "Tin mới",
    "Tuy Đức ra quân",
    "Gia Nghĩa khai mạc",
    "Tin đọc nhiều",
    "Đọc nhiều",
    "Lịch tiếp công dân",
    "Lượt truy cập",
    "Địa chỉ",
    "Đường 23 tháng 3",
    "Tòa soạn",
    "Điện thoại",
    "Giấy phép",
    "Bản quyền",
    "Copyright",
    "ipv6",
    "IPv6",
    "Về đầu trang",
    "Image banner",
    "Bài viết liên quan",
    "Quảng cáo",
    "Like",
    "Share",
    "Đánh giá",
    "Tổng Biên tập",
    "Giá cà phê",
    "Mưa rào",
    "Danh mục",
    "Thăm dò",
    "Bình chọn",
    "Thủ tục hành chính",
    "Các tin khác",
    "Giáp Thìn",
    "Đang truy cập",
    "Chịu trách nhiệm",
    "In trang",
    "Quay lại",
    "Thống kê",
    "Liên kết",
    "UBND huyện Krông Nô ::",
    "Báo Tin tức",
    "Thời sự",
    "Từ khóa",
    "Tin cùng chuyên mục",
    "thổ cẩm",
    "Lý Thường Kiệt",
    "20/05/2024",
]


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as legacy Vietnamese editors wrote it: base letters precomposed, tones combining."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)) + tones)
    return "".join(out).encode("cp1258")


def all_text(bulletin) -> str:
    return "\n".join(unit.text for unit in bulletin.text_units())


def test_portal_page_is_the_sample_bulletin(sample_raw: Path) -> None:
    """The provincial portal's page of the sample bulletin gives the sample's title, date, lead and paragraphs."""
    page = read_bulletin_html(PORTAL)
    text = read_bulletin(sample_raw)
    assert page.title == SAMPLE_TITLE == text.title
    assert page.id == text.id
    # The page's metadata says 29/06 (published the next morning); the text states 28/6/2024, and the text wins.
    assert extract_page(PORTAL.read_bytes(), PORTAL).date == dt.date(2024, 6, 29)
    assert page.date == dt.date(2024, 6, 28)
    assert (page.time_of_day, page.place, page.source) == ("sáng", "Huyện ủy Đắk Song", "Trung tâm Văn hóa - Thể thao và Truyền thông")
    assert [p.text for p in page.paragraphs] == [p.text for p in text.paragraphs]
    assert [b.kind for b in page.body] == ["paragraph", "image", "paragraph", "paragraph", "paragraph"]


def test_portal_photo_keeps_caption_and_alt_but_says_it_is_not_available() -> None:
    page = read_bulletin_html(PORTAL)
    (photo,) = [b for b in page.body if isinstance(b, Photo)]
    assert photo.caption == "Quang cảnh Hội nghị giao ban công tác dân vận quý II năm 2024"
    assert photo.src is None  # not downloaded: no file to point to
    assert photo.alt.startswith(PHOTO_NOT_DOWNLOADED)
    assert photo.alt.endswith("Các đại biểu ngồi quanh bàn họp tại hội trường Huyện ủy Đắk Song")
    images = extract_page(PORTAL.read_bytes(), PORTAL).images
    assert [i.src for i in images] == ["https://daknong.gov.vn/uploads/2024/06/giao-ban-dan-van-1.jpg"]


@pytest.mark.parametrize("path", [PORTAL, NEWSPAPER, OLD_PORTAL, MODERN], ids=["portal", "newspaper", "old-portal", "modern"])
def test_no_boilerplate(path: Path) -> None:
    text = all_text(read_bulletin_html(path))
    found = [b for b in BOILERPLATE if b in text]
    assert found == []
    # A page date from a sidebar or the footer's licence never becomes the bulletin's.
    assert not re.search(r"\b(0[2-3]/07|12/5/2020|20/3/2021)", text)


def test_newspaper_page_lead_list_photos_and_byline() -> None:
    """A newspaper page: the lead ("sapo") sits outside the body, a list, a table-captioned photo, a byline."""
    b = read_bulletin_html(NEWSPAPER)
    assert b.title == "Đắk Glong ra quân Chiến dịch Thanh niên tình nguyện hè"
    # "Chiều 15/7" has no year: the page's metadata date (16/07/2024) supplies it, as a page's date line does for text.
    assert (b.date, b.time_of_day, b.place) == (dt.date(2024, 7, 15), "chiều", "xã Quảng Khê")
    assert b.id == "2024-07-15-dak-glong-ra-quan-chien-dich-thanh-nien-tinh-nguyen-he"
    assert b.byline == "Thanh Hà"  # from the text's "Tin, ảnh:" line, which is not left in the body
    assert b.paragraphs[0].text.startswith("Chiều 15/7, tại xã Quảng Khê, Huyện đoàn Đắk Glong tổ chức lễ ra quân")
    assert b.paragraphs[-1].text.startswith("Dịp này, Huyện đoàn đã trao 50 suất quà")
    assert len(b.paragraphs) == 5
    (items,) = [x for x in b.body if isinstance(x, BulletList)]
    assert items.items == (
        "Sửa chữa 3 km đường giao thông nông thôn tại xã Quảng Khê và xã Đắk Som;",
        "Xây dựng 2 công trình “Thắp sáng đường quê” bằng đèn năng lượng mặt trời;",
        "Tổ chức lớp học kỹ năng và ôn tập hè cho hơn 200 thiếu nhi.",
    )
    photos = [x for x in b.body if isinstance(x, Photo)]
    assert [p.caption for p in photos] == [
        "Đoàn viên, thanh niên huyện Đắk Glong tham gia lễ ra quân",
        "Trao quà cho thiếu nhi có hoàn cảnh khó khăn tại xã Quảng Khê",
    ]
    assert "Mô tả ảnh: Đoàn viên thanh niên mặc áo xanh" in photos[0].alt
    # The second photo has an empty alt on the page: the alt says it is missing and repeats the caption.
    assert photos[1].alt == f"{PHOTO_NOT_DOWNLOADED}. Chú thích ảnh: {photos[1].caption}"
    assert not any("Tin, ảnh" in t for t in all_text(b).splitlines())


def test_old_table_layout_portal_in_windows_1258() -> None:
    """An old district portal: layout tables, <font> and <br> paragraphs, a captioned-image table, cp1258, no metadata."""
    assert OLD_PORTAL.read_bytes().decode("cp1258") != OLD_PORTAL.read_bytes().decode("utf-8", errors="replace")
    page = extract_page(OLD_PORTAL.read_bytes(), OLD_PORTAL)
    assert page.date is None and page.author is None  # nothing in the markup: the text's lines give both
    b = read_bulletin_html(OLD_PORTAL)
    # The <title> is "UBND huyện Krông Nô :: Tin tức - Sự kiện :: <title>": the part the article repeats is the title.
    assert b.title == "Krông Nô tổ chức tập huấn kỹ thuật trồng sầu riêng cho nông dân"
    assert (b.date, b.place, b.byline) == (dt.date(2024, 3, 11), "Hội trường UBND xã Nâm Nung", "Y Thanh")
    assert [x.kind for x in b.body] == ["paragraph", "paragraph", "image", "paragraph"]
    assert b.paragraphs[0].text.startswith("Ngày 11/3/2024, tại Hội trường UBND xã Nâm Nung")
    assert b.paragraphs[-1].text.endswith("hạn chế rủi ro và nâng cao thu nhập.")
    (photo,) = [x for x in b.body if isinstance(x, Photo)]
    # The page's alt is only the file name: the alt says the photo is missing and repeats the caption.
    assert photo.caption == "Kỹ sư nông nghiệp hướng dẫn nông dân cách chăm sóc cây sầu riêng"
    assert photo.alt == f"{PHOTO_NOT_DOWNLOADED}. Chú thích ảnh: {photo.caption}"
    assert b.title not in [p.text for p in b.paragraphs]


def test_modern_page_leading_figure_and_author_line() -> None:
    b = read_bulletin_html(MODERN)
    assert b.title == 'Gia Nghĩa ra mắt mô hình "Phố đi bộ" cuối tuần'
    # "Tối 18/5" (the text) beats 20/05/2024 (the metadata), which only gives the year.
    assert (b.date, b.time_of_day) == (dt.date(2024, 5, 18), "tối")
    assert [x.kind for x in b.body] == ["paragraph", "image", "paragraph", "paragraph"]
    assert b.paragraphs[0].text.startswith("Tối 18/5, UBND thành phố Gia Nghĩa tổ chức lễ ra mắt")
    assert b.body[1] == Photo("Đông đảo người dân tham gia đêm khai trương Phố đi bộ.", f"{PHOTO_NOT_DOWNLOADED}. Mô tả ảnh: Phố đi bộ Gia Nghĩa")
    # The author's name closing the article is the byline, not a paragraph.
    assert b.byline == "Minh Quân"
    assert "Minh Quân" not in [p.text for p in b.paragraphs]


def test_author_metadata_fills_in_a_missing_byline() -> None:
    html = NEWSPAPER.read_text(encoding="utf-8").replace("<p><strong>Tin, ảnh: Thanh Hà</strong></p>", "")
    html = html.replace('"name":"Thanh Hà"', '"name":"Hồng Nhung"').replace('content="Thanh Hà"', 'content="Hồng Nhung"')
    assert parse_bulletin_html(html, "page.html").byline == "Hồng Nhung"


def test_relative_images_resolve_against_base_url() -> None:
    page = extract_page(NEWSPAPER.read_bytes(), NEWSPAPER, base_url="https://baodaknong.vn/xa-hoi/dak-glong-ra-quan.html")
    assert [i.src for i in page.images] == [
        "https://baodaknong.vn/uploads/news/2024_07/ra-quan-tinh-nguyen.jpg",
        "https://baodaknong.vn/uploads/news/2024_07/trao-qua.jpg",
    ]


def test_listing_page_is_refused_in_one_line() -> None:
    with pytest.raises(IngestError) as err:
        read_bulletin_html(LISTING)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{LISTING}: has no article text")


def test_no_date_anywhere_is_refused_unless_given() -> None:
    html = NEWSPAPER.read_text(encoding="utf-8")
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    html = html.replace("Chiều 15/7, tại", "Chiều qua, tại").replace("Thứ Ba, 16/07/2024 06:30", "")
    assert extract_page(html, "page.html").date is None
    with pytest.raises(IngestError) as err:
        parse_bulletin_html(html, "page.html")
    assert "states no date" in str(err.value) and "--date" in str(err.value) and "\n" not in str(err.value)
    b = parse_bulletin_html(html, "page.html", date=dt.date(2024, 7, 15))
    assert b.date == dt.date(2024, 7, 15) and b.id.startswith("2024-07-15-")


def test_metadata_date_used_when_the_text_states_none() -> None:
    html = NEWSPAPER.read_text(encoding="utf-8").replace("Chiều 15/7, tại", "Chiều qua, tại")
    b = parse_bulletin_html(html, "page.html")
    assert b.date == dt.date(2024, 7, 16) and b.time_of_day is None


def test_given_date_wins() -> None:
    assert read_bulletin_html(PORTAL, date=dt.date(2024, 7, 1)).date == dt.date(2024, 7, 1)


def test_legacy_encoding_from_meta_or_declared_charset() -> None:
    """A page saved in Windows-1258 (declared by <meta> or by the server) gives the same bulletin as UTF-8."""
    reference = read_bulletin_html(PORTAL)
    text = PORTAL.read_text(encoding="utf-8")
    cp1258 = to_cp1258(text.replace('<meta charset="utf-8">', '<meta charset="windows-1258">'))
    assert parse_bulletin_html(cp1258, "page.html") == reference
    undeclared = to_cp1258(text.replace('<meta charset="utf-8">', ""))
    assert parse_bulletin_html(undeclared, "page.html", charset="windows-1258") == reference
    # A wrong declaration is not trusted when the bytes do not decode with it.
    assert decode_html("Đắk Nông".encode(), "x", charset="ascii") == "Đắk Nông"


def test_missing_file_and_not_html(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        read_bulletin_html(tmp_path / "missing.html")
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"   ")
    with pytest.raises(IngestError) as err:
        read_bulletin_html(empty)
    assert str(err.value).startswith(str(empty)) and "\n" not in str(err.value)


def test_round_trips_through_the_bulletin_file(tmp_path: Path) -> None:
    b = read_bulletin_html(NEWSPAPER)
    target = tmp_path / f"{b.id}.yaml"
    save_bulletin(b, target)
    assert load_bulletin(target) == b


def test_no_network_needed() -> None:
    """Extraction reads only the bytes given: it works with sockets unusable."""
    code = (
        "import socket\n"
        "def no(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = no; socket.getaddrinfo = no\n"
        "from pathlib import Path\n"
        "from bantin.content.html import read_bulletin_html\n"
        f"print(read_bulletin_html(Path({str(PORTAL)!r})).date)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "2024-06-28"


def test_paragraphs_are_paragraphs() -> None:
    for b in (read_bulletin_html(PORTAL), read_bulletin_html(NEWSPAPER)):
        assert all(isinstance(p, Paragraph) and p.text and "BANTINPHOTO" not in p.text for p in b.paragraphs)


def test_a_summary_after_the_article_is_not_its_lead() -> None:
    """Only a lead set apart BEFORE the article counts; a summary block further down the page is not prepended."""
    html = NEWSPAPER.read_text(encoding="utf-8")
    sapo = re.search(r'<div class="sapo">.*?</div>', html, flags=re.S)
    assert sapo is not None
    later = '<div class="summary">Tỉnh Đắk Nông đẩy mạnh chuyển đổi số trong các cơ quan nhà nước trong năm 2024 này.</div>'
    html = html.replace(sapo.group(0), "").replace('<div class="fb-comments"', later + '<div class="fb-comments"')
    b = parse_bulletin_html(html, "page.html")
    assert "chuyển đổi số" not in all_text(b)
    assert b.paragraphs[0].text.startswith("Chiến dịch năm nay")
    assert b.date == dt.date(2024, 7, 16)  # the lead with "Chiều 15/7" is gone: the metadata date fills in


def test_badges_in_the_article_are_not_photos() -> None:
    """An image with no caption whose alt is page noise ("ipv6 ready", "Image banner") is not a photo of the bulletin."""
    html = PORTAL.read_text(encoding="utf-8").replace(
        '<p style="text-align:right">', '<p><img src="/images/ipv6.png" alt="IPv6 Ready"></p><p style="text-align:right">'
    )
    assert "IPv6 Ready" in html
    page = extract_page(html, "page.html")
    assert [i.alt for i in page.images][-1] == "IPv6 Ready"  # trafilatura kept it in the article
    b = parse_bulletin_html(html, "page.html")
    assert [x.kind for x in b.body] == ["paragraph", "image", "paragraph", "paragraph", "paragraph"]


@pytest.mark.parametrize(
    "caption_html",
    [
        '<p style="text-align:center"><em>Trao quà cho thiếu nhi có hoàn cảnh khó khăn tại xã Quảng Khê</em></p>',
        '<div class="image_desc">Trao quà cho thiếu nhi có hoàn cảnh khó khăn tại xã Quảng Khê</div>',
        '<p class="chu-thich">Trao quà cho thiếu nhi có hoàn cảnh khó khăn tại xã Quảng Khê</p>',
    ],
    ids=["italic", "desc-class", "chu-thich"],
)
def test_caption_in_the_block_after_the_image(caption_html: str) -> None:
    """Many CMSes caption a photo with the block right after it instead of <figcaption>: same bulletin."""
    html = NEWSPAPER.read_text(encoding="utf-8")
    figure = re.search(r"<figure>.*?</figure>", html, flags=re.S)
    assert figure is not None
    image = '<p style="text-align:center"><a href="#"><img src="/uploads/news/2024_07/trao-qua.jpg" alt=""></a></p>'
    html = html.replace(figure.group(0), image + caption_html)
    assert parse_bulletin_html(html, str(NEWSPAPER)) == read_bulletin_html(NEWSPAPER)


def test_an_italic_paragraph_far_from_an_image_stays_a_paragraph() -> None:
    html = NEWSPAPER.read_text(encoding="utf-8").replace(
        "<p>Dịp này,", "<p><em>Chiến dịch được đông đảo người dân và chính quyền địa phương ủng hộ.</em></p><p>Dịp này,"
    )
    b = parse_bulletin_html(html, "page.html")
    assert "Chiến dịch được đông đảo người dân và chính quyền địa phương ủng hộ." in [p.text for p in b.paragraphs]
    assert [p.caption for p in b.body if isinstance(p, Photo)] == [x.caption for x in read_bulletin_html(NEWSPAPER).body if isinstance(x, Photo)]


def test_read_more_links_inside_the_article_are_dropped() -> None:
    """A "Tin liên quan" box and a "Xem thêm: <link>" line in the middle of the article are not bulletin text."""
    html = NEWSPAPER.read_text(encoding="utf-8").replace(
        "<p>Phát biểu tại buổi lễ,",
        '<div class="box-tinlienquan"><b>Tin liên quan</b><ul><li><a href="/x.html">Tuy Đức khởi động Chiến dịch tình nguyện hè năm 2024</a></li>'
        '<li><a href="/y.html">Sinh viên tình nguyện về Gia Nghĩa</a></li></ul></div>'
        '<p><strong>Xem thêm: <a href="/z.html">Đắk Song ra quân chiến dịch Mùa hè xanh</a></strong></p>'
        "<p>Phát biểu tại buổi lễ,",
    )
    b = parse_bulletin_html(html, str(NEWSPAPER))
    assert b == read_bulletin_html(NEWSPAPER)
    # A sentence with a link in it stays.
    html = NEWSPAPER.read_text(encoding="utf-8").replace(
        "mỗi suất trị giá 300 nghìn đồng.</p>", 'mỗi suất trị giá 300 nghìn đồng (xem <a href="/ds.html">danh sách</a>).</p>'
    )
    assert parse_bulletin_html(html, "page.html").paragraphs[-1].text.endswith("300 nghìn đồng (xem danh sách).")


def test_line_breaks_inside_a_paragraph_follow_ingest_rules() -> None:
    """<br> inside a sentence joins as ingest joins a wrapped line; a "Nguồn:" line after <br> is the source."""
    html = NEWSPAPER.read_text(encoding="utf-8")
    old = "<p>Dịp này, Huyện đoàn đã trao 50 suất quà cho thiếu nhi có hoàn cảnh khó khăn, mỗi suất trị giá 300 nghìn đồng.</p>"
    assert old in html
    new = (
        "<p>Dịp này, Huyện đoàn đã trao 50 suất quà cho thiếu nhi<br>có hoàn cảnh khó khăn, mỗi suất trị giá 300 nghìn đồng.<br>Nguồn: Huyện đoàn Đắk Glong</p>"
    )
    b = parse_bulletin_html(html.replace(old, new), str(NEWSPAPER))
    assert b == dataclasses.replace(read_bulletin_html(NEWSPAPER), source="Huyện đoàn Đắk Glong")

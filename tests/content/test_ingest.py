"""Ingest: the real sample, its encodings, and other scraped bulletins."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from bantin.content.ingest import decode_bulletin, load_noise_list, parse_bulletin, read_bulletin
from bantin.content.model import BulletList, Paragraph, Photo
from bantin.errors import IngestError
from testing_utils import DATA, SAMPLE_TITLE

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 the way legacy Vietnamese editors did: base letters precomposed, tones combining."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def test_sample_fields(sample_raw: Path) -> None:
    b = read_bulletin(sample_raw)
    assert b.title == SAMPLE_TITLE
    assert b.date == dt.date(2024, 6, 28)
    assert b.time_of_day == "sáng"
    assert b.place == "Huyện ủy Đắk Song"
    assert b.source == "Trung tâm Văn hóa - Thể thao và Truyền thông"
    assert b.byline is None
    assert len(b.paragraphs) == 4
    photos = [x for x in b.body if isinstance(x, Photo)]
    assert [p.caption for p in photos] == ["Hình ảnh tại Hội nghị"]
    assert photos[0].src is None and "không có sẵn" in photos[0].alt
    assert isinstance(b.body[1], Photo)  # the photo stays where the page had it
    texts = " ".join(p.text for p in b.paragraphs)
    for noise in ("Image banner", "ipv6 ready", "Nguồn:"):
        assert noise not in texts
    assert "K’Thanh" in texts  # typographic apostrophe kept as typed
    assert "“Dân vận khéo”" in texts
    assert b.id.startswith("2024-06-28-hoi-nghi-giao-ban-cong-tac-dan-van")
    assert b.id.isascii() and len(b.id) <= 80


def test_encodings_give_identical_bulletins(sample_raw: Path, tmp_path: Path) -> None:
    text = sample_raw.read_text(encoding="utf-8")
    nfd_crlf_bom = b"\xef\xbb\xbf" + unicodedata.normalize("NFD", text).replace("\n", "\r\n").encode("utf-8")
    cp1258 = to_cp1258(text)
    assert cp1258.decode("cp1258") != text  # really a different byte form with combining tones
    reference = read_bulletin(sample_raw)
    for name, data in {"nfd.txt": nfd_crlf_bom, "cp1258.txt": cp1258}.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert read_bulletin(path) == reference, name


def test_everything_is_nfc(sample_raw: Path, tmp_path: Path) -> None:
    path = tmp_path / "nfd.txt"
    path.write_bytes(unicodedata.normalize("NFD", sample_raw.read_text(encoding="utf-8")).encode())
    b = read_bulletin(path)
    for unit in b.text_units():
        assert unicodedata.is_normalized("NFC", unit.text), unit.key


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "is empty"),
        (b"  \r\n\t\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (bytes(range(1, 32)) * 20, "binary"),
        ("\ufeff".encode() + b"\n\n", "is empty"),
    ],
)
def test_refuses_empty_and_binary(data: bytes, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=problem) as info:
        read_bulletin(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02binary\x00" * 50])
def test_cli_refuses_and_writes_nothing(data: bytes, tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_bytes(data)
    out = tmp_path / "out.yaml"
    proc = subprocess.run([sys.executable, "-m", "bantin.cli", "ingest", str(raw), "-o", str(out)], capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("bantin: error: ")
    assert "Traceback" not in proc.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [raw]


def test_lists_byline_quotes_and_noise() -> None:
    b = read_bulletin(DATA / "raw" / "lists-byline-quote.txt")
    assert b.title == "Huyện Krông Nô ra quân hưởng ứng Tháng hành động vì an toàn thực phẩm năm 2024"
    assert b.date == dt.date(2024, 5, 15) and b.time_of_day == "chiều"
    assert b.place == "Nhà văn hóa xã Đắk Drô"
    assert b.byline == "Thanh Hà" and b.source is None
    kinds = [x.kind for x in b.body]
    assert kinds == ["paragraph", "paragraph", "list", "image", "paragraph"]
    lead = b.body[0]
    assert isinstance(lead, Paragraph) and "lễ ra quân hưởng ứng" in lead.text  # hard-wrapped lines joined
    quote_para = b.body[1]
    assert isinstance(quote_para, Paragraph) and "“An toàn thực phẩm là trách nhiệm" in quote_para.text
    items = b.body[2]
    assert isinstance(items, BulletList) and len(items.items) == 3 and items.items[2].startswith("Xử lý")
    photo = b.body[3]
    assert isinstance(photo, Photo) and photo.caption == "Quang cảnh buổi lễ ra quân"
    everything = " ".join(u.text for u in b.text_units())
    for noise in ("Trang chủ", "Lượt xem", "Tin liên quan", "Kiểm tra an toàn thực phẩm dịp Tết", "ipv6"):
        assert noise not in everything


def test_date_without_year_uses_title_year() -> None:
    b = parse_bulletin("Tin ngắn năm 2023\n\nTối 2/9, tại quảng trường, tỉnh tổ chức bắn pháo hoa.\n")
    assert b.date == dt.date(2023, 9, 2) and b.time_of_day == "tối" and b.place == "quảng trường"


def test_no_date_is_refused_with_hint() -> None:
    with pytest.raises(IngestError, match="--date"):
        parse_bulletin("Tiêu đề\n\nMột đoạn văn không có ngày tháng.\n", "x.txt")
    b = parse_bulletin("Tiêu đề\n\nMột đoạn văn không có ngày tháng.\n", "x.txt", date=dt.date(2024, 1, 2))
    assert b.date == dt.date(2024, 1, 2) and b.id == "2024-01-02-tieu-de"


def test_clock_time_is_kept() -> None:
    b = parse_bulletin("Tiêu đề\n\nVào lúc 8h30 ngày 3/2/2024, tại UBND xã, hội nghị khai mạc.\n")
    assert b.date == dt.date(2024, 2, 3) and b.time_of_day == "08:30"


def test_decode_refuses_undecodable() -> None:
    with pytest.raises(IngestError, match="not text in UTF-8, Windows-1258, TCVN3 \\(ABC\\) or VNI"):
        decode_bulletin(b"Ti\x81u \x8a\x8d", "x.txt")


def test_noise_list_is_data(tmp_path: Path) -> None:
    custom = tmp_path / "noise.yaml"
    custom.write_text("lines: [Quảng cáo]\npatterns: []\nstop_after: []\n", encoding="utf-8")
    b = parse_bulletin("Tiêu đề\nQuảng cáo\n\nSáng 1/2/2024, hội nghị khai mạc.\n", noise=load_noise_list(custom))
    assert "Quảng cáo" not in " ".join(u.text for u in b.text_units())
    custom.write_text("patterns: ['([']\n", encoding="utf-8")
    with pytest.raises(Exception, match="not a valid regular expression"):
        load_noise_list(custom)


@pytest.mark.parametrize(
    ("lead", "date", "tod"),
    [
        ("Trong hai ngày 26 - 28/6/2024, tại Gia Nghĩa, tỉnh tổ chức hội thi.", dt.date(2024, 6, 26), None),
        ("Từ ngày 3 đến 5/7/2024, tại Gia Nghĩa, tỉnh tổ chức hội thi.", dt.date(2024, 7, 3), None),
        ("Chiều 28-6-2024, tại Gia Nghĩa, tỉnh tổ chức hội thi.", dt.date(2024, 6, 28), "chiều"),
        ("(ĐNO) - Sáng ngày 01/07/2024, tại Gia Nghĩa, tỉnh tổ chức hội thi.", dt.date(2024, 7, 1), "sáng"),
        ("Ngày 45/50 không phải ngày; sáng 2/7/2024, tại Gia Nghĩa, tỉnh tổ chức hội thi.", dt.date(2024, 7, 2), "sáng"),
    ],
)
def test_stated_date_forms(lead: str, date: dt.date, tod: str | None) -> None:
    b = parse_bulletin(f"Tiêu đề\n\n{lead}\n")
    assert (b.date, b.time_of_day, b.place) == (date, tod, "Gia Nghĩa")


# --------------------------------------------------------------------------- dates are never guessed


@pytest.mark.parametrize(
    ("lead", "written", "reason"),
    [
        ("Sáng 31/6/2024, tại Gia Nghĩa, hội nghị khai mạc.", "31/6/2024", "June has 30 days"),
        ("Ngày 29/2/2023, tại Gia Nghĩa, hội nghị khai mạc.", "29/2/2023", "February 2023 has 28 days"),
        ("Sáng 31/2/2024, tại Gia Nghĩa, hội nghị khai mạc.", "31/2/2024", "February 2024 has 29 days"),
        ("Ngày 31 tháng 2 năm 2024, tại Gia Nghĩa, hội nghị.", "Ngày 31 tháng 2 năm 2024", "February 2024 has 29 days"),
        ("Ngày 15/13/2024, tại Gia Nghĩa, hội nghị khai mạc.", "15/13/2024", "there is no month 13"),
        ("Chiều 31-4-2024, tại Gia Nghĩa, hội nghị khai mạc.", "31-4-2024", "April has 30 days"),
        ("Sáng 31.9.2024, tại Gia Nghĩa, hội nghị khai mạc.", "31.9.2024", "September has 30 days"),
        ("Trong hai ngày 30 - 31/6/2024, tại Gia Nghĩa, hội thi.", "30 - 31/6/2024", "June has 30 days"),
        ("Tối 31/11, tại Gia Nghĩa, hội nghị khai mạc.", "31/11", "November has 30 days"),
        ("Sáng 0/6/2024, tại Gia Nghĩa, hội nghị khai mạc.", "0/6/2024", "there is no day 0"),
    ],
)
def test_impossible_dates_are_refused_with_line_and_reason(lead: str, written: str, reason: str) -> None:
    text = f"Hội nghị năm 2024\n\n{lead}\n"
    with pytest.raises(IngestError) as info:
        parse_bulletin(text, "x.txt")
    message = str(info.value)
    assert message == f"x.txt: line 3: {written} is not a date: {reason}. Correct it in the text, or pass --date YYYY-MM-DD."
    # --date settles it: the text's date is not used, nothing is rolled over
    b = parse_bulletin(text, "x.txt", date=dt.date(2024, 7, 1))
    assert b.date == dt.date(2024, 7, 1)


def test_impossible_date_anywhere_in_the_text_names_its_line() -> None:
    text = "Tiêu đề\n\nSáng 28/6/2024, tại Gia Nghĩa, hội nghị khai mạc.\n\nHạn chót là ngày 31/9/2024.\n"
    with pytest.raises(IngestError, match=r"line 5: 31/9/2024 is not a date: September has 30 days"):
        parse_bulletin(text, "x.txt")


def test_day_without_year_uses_the_title_year_for_29_february() -> None:
    with pytest.raises(IngestError, match="29/2 is not a date: February 2023 has 28 days"):
        parse_bulletin("Tin năm 2023\n\nSáng 29/2, tại Gia Nghĩa, hội nghị.\n", "x.txt")
    assert parse_bulletin("Tin năm 2024\n\nSáng 29/2, tại Gia Nghĩa, hội nghị.\n").date == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    "lead",
    [
        "Năm học 2023-2024, ngày 5/9/2024 các trường khai giảng.",  # a span of years is not a day and month
        "Tỷ lệ đạt 45/50 chỉ tiêu; sáng 5/9/2024 tỉnh tổng kết.",  # a fraction is not a date
        "Theo Quyết định số 1234/QĐ-UBND, sáng 5/9/2024 tỉnh tổng kết.",
        "Giá tăng 31.5 lần; sáng 5/9/2024 tỉnh tổng kết.",  # a decimal number is not a date
    ],
)
def test_numbers_that_are_not_dates_are_left_alone(lead: str) -> None:
    assert parse_bulletin(f"Tiêu đề\n\n{lead}\n").date == dt.date(2024, 9, 5)


def test_cli_impossible_date_exits_2_and_writes_nothing(sample_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(sample_raw.read_text(encoding="utf-8").replace("Sáng 28/6/2024", "Sáng 31/6/2024"), encoding="utf-8")
    out = tmp_path / "out.yaml"
    proc = subprocess.run([sys.executable, "-m", "bantin.cli", "ingest", str(raw), "-o", str(out)], capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert "line 4: 31/6/2024 is not a date: June has 30 days" in proc.stderr and "--date" in proc.stderr
    assert not out.exists()
    proc = subprocess.run(
        [sys.executable, "-m", "bantin.cli", "ingest", str(raw), "-o", str(out), "--date", "2024-06-28"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "date: 2024-06-28" in out.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- characters


@pytest.mark.parametrize(
    ("char", "code"),
    [
        ("\x01", "U+0001"),
        ("\x1b", "U+001B"),
        ("\x0c", "U+000C"),
        ("\x7f", "U+007F"),
        ("\x85", "U+0085"),
        ("\x9b", "U+009B"),
        ("\u202e", "U+202E"),
        ("\u202a", "U+202A"),
        ("\u2067", "U+2067"),
        ("\u200b", "U+200B"),
        ("\u2060", "U+2060"),
        ("\ufeff", "U+FEFF"),
    ],
)
def test_control_and_invisible_characters_are_refused_with_line_and_column(char: str, code: str, tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(f"Tiêu đề\n\nSáng 28/6/2024, hội{char} nghị.\n".encode())
    with pytest.raises(IngestError) as info:
        read_bulletin(path)
    message = str(info.value)
    assert f"line 3, column 20: {code}" in message and char not in message and "\n" not in message


def test_zero_width_joiner_is_kept_in_khmer_and_refused_between_latin_letters() -> None:
    b = parse_bulletin("Tiêu đề\n\nSáng 28/6/2024, hội nghị ស្រុក\u200dក.\n")
    assert "ស្រុក\u200dក" in b.paragraphs[0].text
    with pytest.raises(IngestError, match="U\\+200D"):
        parse_bulletin("Tiêu đề\n\nSáng 28/6/2024, hội\u200d nghị.\n")


def test_text_is_nfc_and_crlf_and_lone_cr_are_line_ends() -> None:
    b = parse_bulletin(unicodedata.normalize("NFD", "Tiêu đề\r\rSáng 28/6/2024, hội nghị.\r\n"))
    assert b.title == "Tiêu đề" and unicodedata.is_normalized("NFC", b.paragraphs[0].text)


# --------------------------------------------------------------------------- lengths


def test_title_and_paragraph_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(IngestError, match=r"line 1: the title is 301 characters long \(limit 300\)"):
        parse_bulletin("T" * 301 + "\n\nSáng 28/6/2024, hội nghị.\n")
    long = "Sáng 28/6/2024, hội nghị " + "rất dài " * 1300
    with pytest.raises(IngestError, match=r"line 3: a line of \d+ characters \(limit 10000\)"):
        parse_bulletin(f"Tiêu đề\n\n{long}\n")
    wrapped = long[:5000] + "\n" + long[5000:9000] + "\n" + long[9000:]
    with pytest.raises(IngestError, match=r"line 3: a paragraph of \d+ characters \(limit 10000\)"):
        parse_bulletin(f"Tiêu đề\n\n{wrapped}\n")
    monkeypatch.setenv("BANTIN_MAX_PARAGRAPH_CHARS", "30")
    with pytest.raises(IngestError, match=r"line 3: a paragraph of 41 characters \(limit 30\)"):
        parse_bulletin("Tiêu đề\n\nSáng 28/6/2024 họp\nmột hai ba bốn năm sáu\n")  # hard-wrapped lines joined
    monkeypatch.setenv("BANTIN_MAX_PARAGRAPH_CHARS", "10")
    with pytest.raises(IngestError, match=r"line 5: a line of 16 characters \(limit 10\)"):
        parse_bulletin("Tiêu đề\n\nSáng 28/6.\n\n- một hai ba bốn\n", date=dt.date(2024, 6, 28))


def test_huge_input_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as stream:
        stream.truncate(200 * 1024 * 1024)  # sparse: 200 MB that costs no disk
    with pytest.raises(IngestError, match="too large"):
        read_bulletin(path)


# --------------------------------------------------------------------------- legacy encodings


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_font_encodings_give_the_same_bulletin(encoding: str, sample_raw: Path, tmp_path: Path) -> None:
    from bantin.content.legacy import encode_legacy

    text = sample_raw.read_text(encoding="utf-8")
    data = encode_legacy(text, encoding)
    assert data.decode("cp1252") != text and not _is_utf8(data)
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(data)
    assert read_bulletin(path) == read_bulletin(sample_raw)
    path.write_bytes(data.replace(b"\n", b"\r\n"))
    assert read_bulletin(path) == read_bulletin(sample_raw)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_mojibake_is_refused(sample_raw: Path, tmp_path: Path) -> None:
    from bantin.content.legacy import encode_legacy

    text = sample_raw.read_text(encoding="utf-8")
    cases = {
        "double.txt": (text.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8"), "read as Windows-1252 and saved again"),
        "latin1.txt": (text.encode("utf-8").decode("latin-1").encode("utf-8"), "read as Windows-1252 and saved again"),
        "tcvn3-as-utf8.txt": (encode_legacy(text, "tcvn3").decode("cp1252").encode("utf-8"), "TCVN3 (ABC) font text saved as Windows"),
        "vni-as-utf8.txt": (encode_legacy(text, "vni").decode("cp1252").encode("utf-8"), "VNI-Windows font text saved as Windows"),
    }
    for name, (data, problem) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(IngestError, match=re.escape(problem)) as info:
            read_bulletin(path)
        assert "\n" not in str(info.value), name


def test_random_high_bytes_are_refused(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    path = tmp_path / "noise.txt"
    path.write_bytes(b"Ti\xeau \xf0\xe8 " + bytes(rng.choice(range(0xA0, 0x100)) for _ in range(2000)))
    with pytest.raises(IngestError, match="not text in UTF-8, Windows-1258, TCVN3 \\(ABC\\) or VNI"):
        read_bulletin(path)


def test_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "raw.txt"
    os.mkfifo(fifo)
    with pytest.raises(IngestError, match="not a regular file"):
        read_bulletin(fifo)


def test_cli_unwritable_output_is_one_line(sample_raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "missing-folder" / "sub" / "out.yaml"
    (tmp_path / "missing-folder").write_text("a file where a folder should be", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "bantin.cli", "ingest", str(sample_raw), "-o", str(out)], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert "cannot be written" in proc.stderr


def test_file_name_with_a_terminal_escape_is_not_printed_raw(tmp_path: Path) -> None:
    path = tmp_path / "tin\x1b[31m.txt"
    path.write_bytes(b"")
    with pytest.raises(IngestError) as info:
        read_bulletin(path)
    assert "\x1b" not in str(info.value) and "tin\\x1b[31m.txt" in str(info.value)

"""Operator messages: each error class becomes one Vietnamese sentence beside the right form field, never a CLI flag.

The errors are the real ones bantin raises (made by the real readers where that is cheap).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bantin.content.bulletin_file import bulletin_from_mapping
from bantin.content.fetch import FetchPolicy, NotPublicError, fetch_page
from bantin.content.upload import PASTED, read_pasted, read_upload
from bantin.desk.messages import GENERIC, operator_message
from bantin.errors import (
    BantinError,
    EngineUnavailableError,
    FetchError,
    FetchTimeoutError,
    IngestError,
    InputError,
    NotAPageError,
    PageTooLargeError,
    PublishBusyError,
    RecordError,
    TooManyRedirectsError,
    TransientSpeechError,
    UnknownLocaleError,
    UnsafeOutputError,
    URLRefusedError,
)
from bantin.i18n.checks import CatalogError, PlaceholderError

LABELS = {
    "text": "Nội dung bản tin",
    "upload": "Tệp tải lên",
    "url": "Địa chỉ trang tin",
    "date": "Ngày",
    "title": "Tiêu đề",
    "body": "Các đoạn",
}
LEAD = "Sáng 28/6/2024, tại Hội trường huyện ủy, Ban Dân vận Huyện ủy tổ chức hội nghị giao ban công tác dân vận quý II năm 2024."
_ENGLISH = re.compile(r"\b(?:the|is|not|file|error|refused|please|cannot|line)\b", re.IGNORECASE)


def message_of(exc: BaseException) -> tuple[str | None, str]:
    field, text = operator_message(exc, LABELS)
    assert "\n" not in text and "--" not in text and "Traceback" not in text
    assert not _ENGLISH.search(text), text
    assert text.endswith(".") and text[0].isupper()
    return field, text


def raised(call, *args, **kwargs) -> BaseException:
    with pytest.raises(BantinError) as err:
        call(*args, **kwargs)
    return err.value


def test_a_bulletin_without_a_date_points_at_the_date_field() -> None:
    exc = raised(read_pasted, "Tiêu đề\n\nMột đoạn văn không ghi ngày tháng nào cả.\n")
    assert "--date" in str(exc)  # the terminal's message names the flag ...
    field, text = message_of(exc)
    assert field == "date" and "«Ngày»" in text  # ... the desk names the field


def test_an_impossible_date_names_the_text_and_the_date_field() -> None:
    exc = raised(read_pasted, "Tiêu đề\n\nSáng 31/6/2024, hội nghị đã diễn ra tại huyện.\n")
    field, text = message_of(exc)
    assert field == "text" and "«31/6/2024»" in text and "dòng 3" in text and "«Ngày»" in text


def test_the_date_form_field_itself() -> None:
    field, text = message_of(InputError("date: '2024-02-30' is not a date. Write it as YYYY-MM-DD, or leave it empty"))
    assert field == "date" and text.startswith("Ô «Ngày»")


@pytest.mark.parametrize(
    ("make", "field", "words"),
    [
        (lambda: read_pasted("   \n"), "text", "«Nội dung bản tin» đang trống"),
        (lambda: read_upload(b"", "a.txt"), "upload", "«Tệp tải lên» đang trống"),
        (lambda: read_upload(b"\x00\x01binary\x00", "a.bin"), "upload", "không phải văn bản"),
        (lambda: read_upload(b"%PDF-1.4", "a.pdf"), "upload", "tệp PDF"),
        (lambda: read_upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "a.doc"), "upload", ".docx"),
        (lambda: read_upload(b"PK\x03\x04garbage", "a.docx"), "upload", "không phải tài liệu Word"),
        (lambda: read_pasted("Tiêu đề\n\nMột\u200bđoạn.\n"), "text", "ký tự ẩn"),
        (lambda: read_pasted("Chỉ có một dòng tiêu đề\n"), "text", "Không tìm thấy nội dung"),
    ],
)
def test_unreadable_sources(make, field: str, words: str) -> None:
    with pytest.raises(IngestError) as err:
        make()
    got_field, text = message_of(err.value)
    assert got_field == field and words in text


def test_a_page_fetched_from_a_url_that_cannot_be_read_points_at_the_url() -> None:
    field, text = message_of(IngestError("https://tin.example/bai.html", "has no article text (only navigation)", "Save the page"))
    assert field == "url" and "«Địa chỉ trang tin»" in text


def test_fetch_refused_for_a_private_host_gives_the_allow_list() -> None:
    policy = FetchPolicy(max_bytes=1000, timeout=2.0, max_redirects=1, resolver=lambda host, port: ["192.168.1.20"])
    exc = raised(fetch_page, "http://tin.noibo.lan/bai.html", policy=policy)
    assert isinstance(exc, NotPublicError)
    field, text = message_of(exc)
    assert field == "url" and "tin.noibo.lan" in text and "[fetch] allow_hosts" in text and "bantin.toml" in text


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (URLRefusedError("ftp://x", "refused: 'ftp:' is not http or https", "Give the address"), "http:// hoặc https://"),
        (URLRefusedError("http://u:p@x", "refused: the URL holds a user name or password", "x"), "mật khẩu"),
        (FetchTimeoutError("http://x", "no answer within 20 s", "Try again later"), "không trả lời kịp"),
        (PageTooLargeError("http://x", "the page is 9000000 bytes", "x"), "quá lớn"),
        (NotAPageError("http://x", "the server sent application/pdf, not an HTML page", "x"), "không phải một trang web"),
        (TooManyRedirectsError("http://x", "more than 5 redirects", "x"), "chuyển hướng quá nhiều"),
        (FetchError("http://x", "the server answered HTTP 404 Not Found", "Check"), "HTTP 404"),
        (FetchError("http://x", "cannot resolve x (no such host)", "Check"), "Không tìm thấy máy chủ"),
    ],
)
def test_fetch_problems(exc: FetchError, words: str) -> None:
    field, text = message_of(exc)
    assert field == "url" and "«Địa chỉ trang tin»" in text and words in text


def test_a_catalog_problem(tmp_path: Path) -> None:
    exc = CatalogError(tmp_path / "locales/en/LC_MESSAGES/chrome.po", 12, "line is not valid PO", "Correct it")
    field, text = message_of(exc)
    assert field is None and "chrome.po" in text and "dòng 12" in text and "Bản dịch" in text
    assert issubclass(PlaceholderError, CatalogError)
    field, text = message_of(UnknownLocaleError("xx", ["en", "vi"]))
    assert field is None and "«xx»" in text


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (EngineUnavailableError("gtts: no network"), "Máy đọc chưa dùng được"),
        (TransientSpeechError("gtts: HTTP 429"), "tạm thời"),
        (PublishBusyError("another publish holds the lock"), "đang được xuất bản"),
        (UnsafeOutputError("outputs/x is a link"), "an toàn"),
        (RecordError("manifest.json is corrupt"), "Hồ sơ xuất bản"),
    ],
)
def test_whole_page_problems(exc: BantinError, words: str) -> None:
    field, text = message_of(exc)
    assert field is None and words in text


@pytest.mark.parametrize(
    ("mapping", "field", "words"),
    [
        ({"id": "x", "title": "T", "body": [{"paragraph": "p"}]}, "date", "«Ngày» còn trống"),
        ({"id": "x", "title": "T", "date": "2024-02-30", "body": [{"paragraph": "p"}]}, "date", "không phải một ngày"),
        ({"id": "x", "title": "T" * 400, "date": "2024-06-28", "body": [{"paragraph": "p"}]}, "title", "«Tiêu đề» quá dài"),
        ({"id": "x", "title": "T", "date": "2024-06-28", "body": [{"paragraph": "p"}, {"image": {"caption": "c"}}]}, "body", "chưa được mô tả"),
        ({"id": "x", "title": "T", "date": "2024-06-28", "body": [{"paragraph": "p"}], "byline_label": "Ảnh chụp"}, "byline_label", "ghi công"),
        ({"id": "Không Hợp Lệ", "title": "T", "date": "2024-06-28", "body": [{"paragraph": "p"}]}, "id", "«Mã bản tin»"),
    ],
)
def test_yaml_fields_are_named_by_their_label(mapping: dict, field: str, words: str) -> None:
    exc = raised(bulletin_from_mapping, mapping, "desk/drafts/x.yaml")
    got_field, text = message_of(exc)
    assert got_field == field and words in text


def test_the_most_specific_field_the_form_has() -> None:
    exc = raised(bulletin_from_mapping, {"id": "x", "title": "T", "date": "2024-06-28", "body": [{"paragraph": "p"}, {"image": {"caption": "c"}}]})
    assert operator_message(exc, {**LABELS, "body[1]": "Ảnh 1"}) == ("body[1]", "Ô «Ảnh 1» có ảnh chưa được mô tả: hãy viết mô tả ảnh cho người khiếm thị.")


def test_anything_else_is_a_general_vietnamese_sentence() -> None:
    for exc in (RuntimeError("boom\nTraceback (most recent call last)"), KeyError("x"), BantinError("an English message --flag")):
        assert message_of(exc) == (None, GENERIC)


def test_a_message_already_in_vietnamese_is_kept() -> None:
    exc = InputError("Bản tin này đã bị gỡ: hãy khôi phục trước khi sửa.")
    assert operator_message(exc, LABELS) == (None, "Bản tin này đã bị gỡ: hãy khôi phục trước khi sửa.")


def test_pydantic_form_errors_name_the_field() -> None:
    from pydantic import BaseModel, ValidationError

    class Form(BaseModel):
        date: dt.date

    with pytest.raises(ValidationError) as err:
        Form(date="not a date")
    field, text = message_of(err.value)
    assert field == "date" and "«Ngày»" in text


def test_pasted_name_is_the_text_field() -> None:
    assert message_of(IngestError(PASTED, "is empty", "Paste"))[0] == "text"


def test_a_drafts_wrong_move_reads_in_vietnamese(tmp_path) -> None:
    """A desk move refused by the draft store (here: approving a draft never submitted) is told in Vietnamese, not in the CLI's English."""
    import pytest

    from bantin.content.ingest import parse_bulletin
    from bantin.desk.drafts import DraftError, DraftStore
    from bantin.desk.messages import operator_message
    from bantin.project import init_project

    init_project(tmp_path)
    drafts = DraftStore(tmp_path / "desk", content=tmp_path / "content", project=tmp_path)
    bulletin = parse_bulletin("Hội nghị giao ban quý II\n\nSáng 28/6/2024, hội nghị đã diễn ra tại tỉnh và đề ra nhiệm vụ quý III.\n", "<dán>")
    drafts.create(bulletin, None, None, "bich")
    with pytest.raises(DraftError) as caught:
        drafts.promote(bulletin.id, "duyet")
    field, message = operator_message(caught.value, {})
    assert field is None and message.startswith("Bản nháp chưa được gửi duyệt") and "submitted" not in message

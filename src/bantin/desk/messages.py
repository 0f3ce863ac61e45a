"""Errors as operators read them: one Vietnamese sentence, beside the form field it belongs to.

bantin's errors are written for the terminal (English, naming files and CLI
flags such as ``--date``).  :func:`operator_message` turns one into what the desk
shows: the key of the form field it belongs to (or None for the page as a whole)
and one Vietnamese sentence saying what is wrong and what to do, naming the field
by its label.  It never shows a traceback, an English sentence or a CLI flag.

The classes it knows (in :mod:`bantin.errors`'s tree): a bad date, empty or
unreadable text or upload, a refused, slow, too large or non-page URL, a catalog
problem, a speech engine that is unavailable, a YAML field that breaks the model's
rules, a busy bulletin, unsafe outputs, a damaged record, the Prefect server gone.
An error already written in Vietnamese (the desk's own) is shown as it is; anything
else gets a general sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bantin.errors import (
    BantinError,
    BulletinValidationError,
    ConfigError,
    EngineUnavailableError,
    FetchError,
    FetchTimeoutError,
    IngestError,
    InputError,
    NotAPageError,
    PageTooLargeError,
    ProjectNotFoundError,
    PublishBusyError,
    PublishStoppedError,
    RecordError,
    RenderError,
    ServerUnavailableError,
    SpeechError,
    TooManyRedirectsError,
    TransientSpeechError,
    UnknownLocaleError,
    UnknownProfileError,
    UnsafeOutputError,
    URLRefusedError,
)

__all__ = ["DEFAULT_LABELS", "GENERIC", "operator_message"]

#: Labels used when the desk's form gives none for a field (the bulletin's YAML fields and the source fields).
DEFAULT_LABELS: Mapping[str, str] = {
    "text": "Nội dung bản tin",
    "upload": "Tệp tải lên",
    "url": "Địa chỉ trang tin",
    "date": "Ngày",
    "title": "Tiêu đề",
    "id": "Mã bản tin",
    "language": "Ngôn ngữ",
    "time_of_day": "Buổi",
    "place": "Địa điểm",
    "source": "Nguồn",
    "byline": "Người viết",
    "byline_label": "Loại ghi công",
    "republish": "Đăng lại",
    "body": "Nội dung",
}

#: What an operator reads when bantin has no better sentence for the problem.
GENERIC = "Đã có lỗi ngoài dự kiến nên thao tác chưa hoàn thành: hãy thử lại, và nếu lỗi còn lặp lại thì báo người quản trị hệ thống."

_PASTED_NAMES = ("<nội dung dán vào>", "<pasted text>", "<input>")
_VI_LETTERS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE)
_FIELD_PATH_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)")
_LINE_RE = re.compile(r"\bline (\d+)")
_HTTP_RE = re.compile(r"HTTP (\d{3})")


def _label(key: str, labels: Mapping[str, str]) -> str:
    return labels.get(key) or DEFAULT_LABELS.get(key) or key


def _is_vietnamese(text: str) -> bool:
    """True when most words carry Vietnamese letters: a message the desk already wrote for operators."""
    words = re.findall(r"\w+", text)
    return bool(words) and sum(bool(_VI_LETTERS.search(w)) for w in words) >= 0.3 * len(words)


def _where(line: str | None) -> str:
    return f" (dòng {line})" if line else ""


def _source_field(exc: IngestError) -> str:
    """Which form field an unreadable source came from: the URL, the pasted text, or an uploaded file."""
    if re.match(r"^https?://", exc.path, re.IGNORECASE):
        return "url"
    return "text" if exc.path in _PASTED_NAMES else "upload"


def _ingest(exc: IngestError, labels: Mapping[str, str]) -> tuple[str | None, str]:
    field = _source_field(exc)
    label = _label(field, labels)
    date = _label("date", labels)
    problem = exc.problem
    line_match = _LINE_RE.search(problem)
    line = line_match.group(1) if line_match else None
    if "states no date" in problem:
        return "date", f"Bản tin không ghi ngày: hãy chọn ngày của bản tin ở ô «{date}»."
    if m := re.search(r"line (\d+): (.+?) is not a date", problem):
        return field, (
            f"Ô «{label}» ghi «{m.group(2)}» ở dòng {m.group(1)}, không phải một ngày có thật: "
            f"hãy sửa lại ngày trong nội dung, hoặc chọn ngày đúng ở ô «{date}»."
        )
    if "dates or date-like numbers" in problem:
        return field, f"Ô «{label}» có quá nhiều ngày tháng, giống nhiều bản tin gộp lại: hãy chỉ đưa vào một bản tin, hoặc chọn ngày ở ô «{date}»."
    if problem in ("is empty", "is an empty Word document (no text)"):
        return field, f"Ô «{label}» đang trống: hãy dán nội dung bản tin hoặc chọn tệp có nội dung bản tin."
    if "too large" in problem or "larger than" in problem or "unpacks to" in problem or "parts, more than" in problem:
        return field, f"Ô «{label}» quá lớn so với một bản tin: hãy chỉ đưa vào một bản tin, và làm nhỏ ảnh trong tài liệu Word nếu có."
    if "old Word document" in problem:
        return field, f"Tệp ở ô «{label}» là tài liệu Word kiểu cũ (.doc): hãy mở bằng Word, lưu lại dạng .docx rồi tải lên lại."
    if "a PDF file" in problem:
        return field, f"Tệp ở ô «{label}» là tệp PDF: hãy chép nội dung bản tin trong PDF và dán vào ô «{_label('text', labels)}»."
    if "image" in problem and problem.startswith("is a"):
        return field, f"Tệp ở ô «{label}» là một tấm ảnh, không phải bản tin: hãy chọn tệp văn bản (.txt), trang web đã lưu (.html) hoặc tài liệu Word (.docx)."
    if "Word document" in problem or "ZIP" in problem or "DTD" in problem or "RTF" in problem:
        return field, f"Tệp ở ô «{label}» không phải tài liệu Word (.docx) đọc được: hãy lưu lại từ Word dưới dạng .docx, hoặc dán nội dung bản tin."
    if "binary" in problem or "not text in" in problem or "UTF-16" in problem or "byte-order mark" in problem or "character set" in problem:
        return field, (f"Ô «{label}» không phải văn bản đọc được: hãy chọn tệp văn bản (.txt, mã UTF-8), trang web đã lưu (.html) hoặc tài liệu Word (.docx).")
    if "mojibake" in problem or "encoding" in problem or "code page" in problem:
        return field, f"Chữ ở ô «{label}» bị lỗi phông (chuyển mã sai): hãy lấy lại tệp gốc, hoặc chuyển sang Unicode (UTF-8) một lần rồi đưa vào lại."
    if re.search(r"line \d+, column \d+", problem):
        return field, f"Ô «{label}» có một ký tự ẩn hoặc ký tự điều khiển{_where(line)}: hãy xoá ký tự đó (thường đi kèm khi chép từ trang web) rồi thử lại."
    if "title is" in problem:
        return field, f"Dòng đầu ở ô «{label}» quá dài để làm tiêu đề: hãy để tiêu đề bản tin ở dòng đầu, ngắn gọn."
    if "characters (limit" in problem or "paragraphs, list items" in problem or "lines, more than" in problem:
        return field, (
            f"Ô «{label}» có đoạn văn hoặc số đoạn quá dài so với một bản tin{_where(line)}: hãy tách đoạn bằng một dòng trống, hoặc chỉ đưa vào một bản tin."
        )
    if "source line" in problem:
        return field, f"Dòng «Nguồn» ở ô «{label}» quá dài{_where(line)}: hãy viết ngắn lại."
    if "no title" in problem:
        return field, f"Không tìm thấy tiêu đề ở ô «{label}»: hãy đưa vào trang của chính bài viết, hoặc dán nội dung với tiêu đề ở dòng đầu."
    if "no paragraphs" in problem or "no text left" in problem or "no article text" in problem:
        return field, f"Không tìm thấy nội dung bài viết ở ô «{label}»: hãy đưa vào trang của chính bài viết, hoặc dán toàn văn bản tin (tiêu đề ở dòng đầu)."
    if "not an HTML page" in problem:
        return field, f"Ô «{label}» không phải một trang web đọc được: hãy lưu trang bài viết dưới dạng .html, hoặc dán nội dung bản tin."
    if "no such file" in problem or "folder" in problem or "cannot be read" in problem or "regular file" in problem:
        return field, f"Không mở được tệp ở ô «{label}»: hãy chọn lại tệp bản tin."
    return field, f"Không đọc được bản tin ở ô «{label}»: hãy kiểm tra đó là một bản tin (văn bản, trang web đã lưu hoặc tài liệu Word) rồi thử lại."


def _fetch(exc: FetchError, labels: Mapping[str, str]) -> tuple[str | None, str]:
    label = _label("url", labels)
    upload = _label("upload", labels)
    if isinstance(exc, URLRefusedError):
        host = getattr(exc, "host", None)
        if host:  # a non-public address that no allow-list names (bantin.content.fetch.NotPublicError)
            return "url", (
                f"Máy chủ {host} ở ô «{label}» thuộc mạng nội bộ nên không được tải về: nếu đó là máy chủ của trung tâm, "
                "người quản trị hãy thêm nó vào mục [fetch] allow_hosts trong tệp bantin.toml."
            )
        if "user name or password" in exc.problem:
            return "url", f"Địa chỉ ở ô «{label}» có chứa tên đăng nhập hoặc mật khẩu: hãy nhập địa chỉ công khai của trang tin."
        if "refused:" in exc.problem and ("address" in exc.problem or "connected to" in exc.problem):
            return "url", (
                f"Địa chỉ ở ô «{label}» dẫn tới một máy không được phép tải về (địa chỉ nội bộ đặc biệt): "
                f"hãy lưu trang thành tệp .html rồi tải lên ở ô «{upload}»."
            )
        return "url", f"Địa chỉ ở ô «{label}» không hợp lệ: hãy nhập địa chỉ bắt đầu bằng http:// hoặc https://, chép từ thanh địa chỉ của trình duyệt."
    if isinstance(exc, FetchTimeoutError):
        return "url", f"Trang tin ở ô «{label}» không trả lời kịp: hãy thử lại sau, hoặc lưu trang thành tệp .html rồi tải lên ở ô «{upload}»."
    if isinstance(exc, PageTooLargeError):
        return "url", f"Trang ở ô «{label}» quá lớn so với một bản tin: hãy lưu riêng trang bài viết thành tệp .html rồi tải lên ở ô «{upload}»."
    if isinstance(exc, NotAPageError):
        return "url", f"Địa chỉ ở ô «{label}» không phải một trang web (có thể là tệp PDF hoặc ảnh): hãy nhập địa chỉ của trang bài viết."
    if isinstance(exc, TooManyRedirectsError):
        return "url", f"Trang ở ô «{label}» chuyển hướng quá nhiều lần: hãy mở địa chỉ trong trình duyệt và chép địa chỉ cuối cùng vào ô này."
    if m := _HTTP_RE.search(exc.problem):
        return "url", f"Máy chủ của trang ở ô «{label}» trả lời lỗi HTTP {m.group(1)}: hãy mở địa chỉ trong trình duyệt để kiểm tra, rồi thử lại."
    if "cannot resolve" in exc.problem:
        return "url", f"Không tìm thấy máy chủ của địa chỉ ở ô «{label}»: hãy kiểm tra lại địa chỉ và kết nối mạng."
    return "url", f"Không tải được trang ở ô «{label}»: hãy kiểm tra địa chỉ và kết nối mạng rồi thử lại, hoặc lưu trang thành tệp .html rồi tải lên."


def _validation(exc: BulletinValidationError, labels: Mapping[str, str]) -> tuple[str | None, str]:
    """The most specific form field the dotted path names (``body[2].image.caption`` → ``body[2]`` → ``body``)."""
    path = exc.field
    key: str | None = None
    candidate = path
    while candidate:
        if candidate in labels:
            key = candidate
            break
        cut = max(candidate.rfind("."), candidate.rfind("["))
        candidate = candidate[:cut] if cut > 0 else ""
    if key is None:
        top = _FIELD_PATH_RE.match(path)
        key = top.group(1) if top else None
    subject = f"Ô «{_label(key, labels)}»" if key else "Bản tin"
    problem = exc.problem
    if problem == "missing" and path.endswith(".alt"):
        return key, f"{subject} có ảnh chưa được mô tả: hãy viết mô tả ảnh cho người khiếm thị."
    if problem == "missing":
        return key, f"{subject} còn trống: hãy điền vào."
    if problem == "is empty":
        return key, f"{subject} đang trống: hãy điền nội dung, hoặc xoá ô này nếu không cần."
    if "is not a date" in problem:
        return key, f"{subject} không phải một ngày có thật: hãy chọn lại ngày (năm-tháng-ngày, ví dụ 2024-06-28)."
    if "is not a time of day" in problem:
        return key, f"{subject} không phải một giờ trong ngày: hãy viết giờ:phút, ví dụ 05:30."
    if "too long" in problem:
        return key, f"{subject} quá dài: hãy viết ngắn lại, hoặc tách thành hai đoạn."
    if "not a credit label" in problem:
        return key, f"{subject} phải là một trong các loại ghi công: Tin; Bài; Ảnh; Tin, ảnh; Bài, ảnh; Tác giả; Phóng viên; Thực hiện."
    if "not a slug" in problem:
        return key, f"{subject} chỉ được có chữ thường không dấu, chữ số và dấu gạch nối, ví dụ 2024-06-28-hoi-nghi."
    if "YAML would be" in problem or "blocks and list items" in problem:
        return key, "Bản tin quá dài so với một bản tin: hãy tách thành nhiều bản tin."
    if "control" in problem or "invisible" in problem or "character" in problem:
        return key, f"{subject} có ký tự ẩn hoặc ký tự điều khiển: hãy xoá ký tự đó."
    return key, f"{subject} chưa đúng: hãy sửa lại nội dung này."


def operator_message(exc: BaseException, field_labels: Mapping[str, str]) -> tuple[str | None, str]:
    """The form field ``exc`` belongs to (a key of ``field_labels``, or None) and one Vietnamese sentence for operators.

    ``field_labels`` maps the form's field keys ("text", "upload", "url", "date", "title", ...)
    to their Vietnamese labels; missing ones fall back to :data:`DEFAULT_LABELS`.
    """
    labels = field_labels
    if isinstance(exc, IngestError):
        return _ingest(exc, labels)
    if isinstance(exc, FetchError):
        return _fetch(exc, labels)
    if isinstance(exc, BulletinValidationError):
        return _validation(exc, labels)
    if isinstance(exc, InputError) and re.match(r"^date\b", str(exc)):
        return "date", f"Ô «{_label('date', labels)}» không phải một ngày có thật: hãy chọn lại ngày, hoặc để trống nếu nội dung bản tin đã ghi ngày."
    from bantin.i18n.checks import CatalogError  # i18n sits above the errors; imported when needed

    if isinstance(exc, CatalogError):
        where = f"tệp {exc.path.name}" + _where(str(exc.line) if exc.line else None)
        return None, f"Bản dịch có lỗi ({where}): người quản trị hãy sửa tệp dịch đó, hoặc bỏ ngôn ngữ này khi xuất bản."
    if isinstance(exc, UnknownLocaleError):
        return None, f"Ngôn ngữ «{exc.code}» chưa được cấu hình: hãy chọn một ngôn ngữ có sẵn, hoặc nhờ người quản trị thêm ngôn ngữ này."
    if isinstance(exc, UnknownProfileError):
        return None, f"Khổ in «{exc.name}» không có: hãy chọn một trong các khổ {', '.join(exc.known)}."
    if isinstance(exc, ProjectNotFoundError):
        return None, "Không tìm thấy thư mục dự án bantin: người quản trị hãy khởi động lại bàn biên tập từ thư mục dự án (bantin up)."
    if isinstance(exc, ConfigError):
        return None, "Tệp cấu hình của bantin có lỗi: người quản trị hãy xem nhật ký hệ thống để biết tệp nào và sửa lại."
    if isinstance(exc, TransientSpeechError):
        return None, "Máy đọc trực tuyến tạm thời không trả lời (mạng chập chờn): hãy thử lại sau ít phút."
    if isinstance(exc, EngineUnavailableError):
        return None, (
            "Máy đọc chưa dùng được lúc này (không có mạng hoặc chưa cài đặt): hãy thử lại khi có mạng; "
            "nếu đã có bản đọc máy dự phòng, người duyệt có thể chấp nhận bản đó."
        )
    if isinstance(exc, SpeechError):
        return None, "Không tạo được bản đọc: hãy thử lại, và nếu lỗi còn lặp lại thì báo người quản trị."
    if isinstance(exc, RenderError):
        return None, "Không dàn trang được bản in PDF: hãy kiểm tra ảnh và nội dung bản tin rồi thử lại, hoặc báo người quản trị."
    if isinstance(exc, PublishBusyError):
        return None, "Bản tin này đang được xuất bản ở một lượt khác: hãy đợi lượt đó xong rồi thử lại."
    if isinstance(exc, PublishStoppedError):
        return None, "Lượt xuất bản đã bị dừng giữa chừng nên chưa có gì thay đổi: hãy thử lại."
    if isinstance(exc, UnsafeOutputError):
        return None, "Thư mục kết quả của bản tin có liên kết trỏ ra ngoài nên bantin dừng lại để an toàn: người quản trị hãy kiểm tra thư mục outputs/."
    if isinstance(exc, RecordError):
        return None, "Hồ sơ xuất bản của bản tin bị hỏng hoặc do phiên bản bantin mới hơn ghi: người quản trị hãy kiểm tra rồi xuất bản lại."
    if isinstance(exc, ServerUnavailableError):
        return None, "Máy chủ điều phối (Prefect) chưa chạy: người quản trị hãy khởi động lại hệ thống bằng lệnh bantin up, rồi thử lại."
    operator = getattr(exc, "operator", "")
    if isinstance(exc, BantinError) and isinstance(operator, str) and operator:
        return getattr(exc, "field", None), operator  # the error carries its own Vietnamese sentence (a draft's moves)
    pydantic_field = _pydantic_field(exc)
    if pydantic_field is not None:
        return pydantic_field, f"Ô «{_label(pydantic_field, labels)}» chưa đúng: hãy sửa lại nội dung ô này."
    if isinstance(exc, BantinError) and _is_vietnamese(str(exc)) and "--" not in str(exc):
        return getattr(exc, "field", None), str(exc).splitlines()[0]
    return None, GENERIC


def _pydantic_field(exc: BaseException) -> str | None:
    """The first wrong field of a pydantic ValidationError (a request model's form), else None."""
    errors = getattr(exc, "errors", None)
    if type(exc).__name__ != "ValidationError" or not callable(errors):
        return None
    try:
        found = errors()
    except Exception:  # not pydantic's after all
        return None
    if found and isinstance(found, list) and isinstance(found[0], dict) and found[0].get("loc"):
        return str(found[0]["loc"][0])
    return None

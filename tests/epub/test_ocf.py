"""The OCF container: mimetype first and stored, sorted entries, fixed times, same bytes every time."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from bantin.epub.ocf import EPUB_MIMETYPE, ocf_zip

FILES = {"EPUB/b.xhtml": b"<b/>", "EPUB/a.opf": b"<a/>", "EPUB/audio/x.mp3": b"\xff\xfb" * 100}
WHEN = dt.datetime(2024, 6, 28, 7, 30, tzinfo=dt.UTC)


def test_mimetype_is_the_first_entry_stored_without_extra_field() -> None:
    data = ocf_zip(FILES, "EPUB/a.opf", WHEN)
    assert data[30:38] == b"mimetype" and data[38:58] == EPUB_MIMETYPE.encode()  # OCF: readable at a fixed offset
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        first = zf.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED and first.extra == b""
        names = [i.filename for i in zf.infolist()[1:]]
        assert names == sorted(names) and "META-INF/container.xml" in names
        assert b'full-path="EPUB/a.opf"' in zf.read("META-INF/container.xml")
        assert {i.date_time for i in zf.infolist()} == {(2024, 6, 28, 7, 30, 0)}
        assert zf.getinfo("EPUB/audio/x.mp3").compress_type == zipfile.ZIP_STORED
        assert zf.getinfo("EPUB/b.xhtml").compress_type == zipfile.ZIP_DEFLATED


def test_the_same_files_give_the_same_bytes_whatever_their_order() -> None:
    again = dict(reversed(list(FILES.items())))
    assert ocf_zip(FILES, "EPUB/a.opf", WHEN) == ocf_zip(again, "EPUB/a.opf", WHEN)
    assert ocf_zip(FILES, "EPUB/a.opf", WHEN) != ocf_zip(FILES, "EPUB/a.opf", WHEN + dt.timedelta(days=1))


def test_dates_before_1980_are_clamped() -> None:
    data = ocf_zip(FILES, "EPUB/a.opf", dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)

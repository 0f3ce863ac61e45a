"""Property tests: whatever bytes or YAML arrive, ingest and load end in a Bulletin or one BantinError, quickly.

Fixed seed (``derandomize``) and a bounded number of examples keep ``make test`` quick and repeatable.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bantin.content.bulletin_file import load_bulletin
from bantin.content.ingest import load_noise_list, parse_bulletin, read_bulletin
from bantin.content.model import Bulletin
from bantin.errors import BantinError, IngestError

#: Each example must finish well within this (seconds); the CLI's budget is 10 s.
BUDGET_S = 2.0

PROPERTY = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,  # timed by hand below, with a budget that tolerates a loaded machine
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)

NOISE = load_noise_list()


def _outcome(call) -> Bulletin | BantinError:  # type: ignore[no-untyped-def]
    """Run ``call``: a Bulletin or a BantinError is fine; any other exception fails the test."""
    started = time.perf_counter()
    try:
        result = call()
    except BantinError as exc:
        result = exc
        message = str(exc)
        assert "\n" not in message and len(message.encode()) < 2048, message[:300]
        assert "\x1b" not in message
    elapsed = time.perf_counter() - started
    assert elapsed < BUDGET_S, f"took {elapsed:.2f} s"
    assert isinstance(result, (Bulletin, BantinError))
    return result


# --------------------------------------------------------------------------- ingest

_VI_WORDS = [
    "Hội",
    "nghị",
    "giao",
    "ban",
    "Sáng",
    "ngày",
    "tháng",
    "năm",
    "tại",
    "Đắk",
    "Song",
    "Nguồn:",
    "Tin:",
    "(Ảnh:",
    "-",
    "•",
    "“Dân vận khéo”",
    "ipv6 ready",
    "image banner",
    "Tin liên quan",
    "\t",
    "\u00a0",
    "\u200b",
    "\u202e",
    "\x1b[31m",
    "\x00",
]


def _date_strings() -> st.SearchStrategy[str]:
    day, month = st.integers(0, 40), st.integers(0, 14)
    year = st.sampled_from([1899, 2023, 2024, 2100, 24])
    sep = st.sampled_from(["/", "-", ".", " / "])
    return st.one_of(
        st.builds(lambda d, s, m, y: f"{d}{s}{m}{s}{y}", day, sep, month, year),
        st.builds(lambda d, m: f"{d}/{m}", day, month),
        st.builds(lambda d, m, y: f"ngày {d} tháng {m} năm {y}", day, month, year),
        st.builds(lambda a, b, m, y: f"{a} - {b}/{m}/{y}", day, day, month, year),
    )


_LINES = st.lists(st.one_of(st.sampled_from(_VI_WORDS), st.text(max_size=12), _date_strings()), max_size=10).map(" ".join)
_ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1"])
#: Text that looks like a scraped bulletin, with dates in every written form and now and then a bad character.
RAW_BULLETINS = st.builds(lambda lines, encoding: "\n".join(lines).encode(encoding, errors="replace"), st.lists(_LINES, min_size=1, max_size=8), _ENCODINGS)


@PROPERTY
@given(data=st.binary(max_size=4096))
def test_ingest_any_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "raw.txt"
    path.write_bytes(data)
    _outcome(lambda: read_bulletin(path, noise=NOISE))


@PROPERTY
@given(data=RAW_BULLETINS)
def test_ingest_bulletin_like_text(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "raw.txt"
    path.write_bytes(data)
    _outcome(lambda: read_bulletin(path, noise=NOISE))


@PROPERTY
@given(
    day=st.integers(0, 40),
    month=st.integers(0, 14),
    year=st.integers(1990, 2040),
    form=st.sampled_from(["{d}/{m}/{y}", "{d}-{m}-{y}", "{d}.{m}.{y}", "ngày {d} tháng {m} năm {y}"]),
)
def test_stated_date_is_taken_exactly_or_refused(day: int, month: int, year: int, form: str) -> None:
    """Never rolled over: a real date is the bulletin's date; an impossible one is refused naming it."""
    written = form.format(d=day, m=month, y=year)
    text = f"Tiêu đề\n\nSáng {written}, tại Gia Nghĩa, hội nghị khai mạc.\n"
    try:
        expected: dt.date | None = dt.date(year, month, day)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(IngestError, match=r"line 3: .* is not a date: "):
            parse_bulletin(text, "x.txt", noise=NOISE)
    else:
        assert parse_bulletin(text, "x.txt", noise=NOISE).date == expected


# --------------------------------------------------------------------------- YAML


@PROPERTY
@given(data=st.binary(max_size=4096))
def test_load_any_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "b.yaml"
    path.write_bytes(data)
    _outcome(lambda: load_bulletin(path))


@PROPERTY
@given(text=st.text(max_size=2000))
def test_load_any_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "b.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    _outcome(lambda: load_bulletin(path))


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(["2024-02-31", "2024-06-28", "28/6/2024", "05:30", "5:30", "0x1F", "1_000", "~", ".inf", "\x1b[2J", "\u202e", "&a", "*a", "!!binary"]),
    st.dates().map(str),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)
_FIELDS = st.sampled_from(["id", "language", "title", "date", "time_of_day", "place", "source", "byline", "republish", "body", "autor"])
_BLOCK = st.one_of(
    st.dictionaries(st.sampled_from(["paragraph", "image", "list", "quote", "video"]), _VALUES, min_size=1, max_size=2),
    _VALUES,
)
_BULLETINS = st.fixed_dictionaries(
    {"id": st.one_of(st.just("2024-06-28-tin"), _SCALARS), "title": _SCALARS, "date": _SCALARS, "body": st.lists(_BLOCK, max_size=4)},
    optional={"republish": _VALUES, "language": _SCALARS, "place": _SCALARS},
) | st.dictionaries(_FIELDS, _VALUES, max_size=6)

_INSERTS = st.sampled_from(["&a ", "*a", "!!str ", "\x01", "\t", "  ", "\n", ": ", "- ", "[", "{", '"', "'", "#", "\\", "%YAML 1.1\n", "---\n", "? "])


@PROPERTY
@given(mapping=_BULLETINS, edits=st.lists(st.tuples(st.integers(0, 10_000), _INSERTS), max_size=4))
def test_load_yaml_like_documents(tmp_path: Path, mapping: dict[str, object], edits: list[tuple[int, str]]) -> None:
    """Documents that are nearly bulletins, some broken by an inserted token; dumped by PyYAML, then edited."""
    text = yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False)
    for position, insert in edits:
        position %= len(text) + 1
        text = text[:position] + insert + text[position:]
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _outcome(lambda: load_bulletin(path))

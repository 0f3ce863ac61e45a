"""The speech cache's mastered readings: the same audio is mastered once, whatever bulletin it belongs to."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bantin.speech.audio import LOUDNESS, mastering_key
from bantin.speech.cache import MASTERED, SpeechCache
from bantin.speech.engines import get_engine
from bantin.speech.normalize import normalize
from bantin.speech.reading import ReadingResult, synthesize_reading
from testing_utils import ebur128


def _renamed(variant, new_id: str):
    """The same variant under another bulletin id (a copy of the bulletin, republished)."""
    return dataclasses.replace(variant, bulletin=dataclasses.replace(variant.bulletin, id=new_id))


def _read(variant, out: Path, cache: SpeechCache, bitrate_kbps: int = 96) -> ReadingResult:
    return synthesize_reading(variant, get_engine("espeak"), out, prepare=normalize, cache=cache, bitrate_kbps=bitrate_kbps)


def _entries(cache: SpeechCache) -> list[Path]:
    return sorted((cache.root / MASTERED).rglob("*.mp3")) if (cache.root / MASTERED).is_dir() else []


def test_a_copy_under_another_id_takes_the_mastered_reading(small_variant, tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "cache")
    first = _read(small_variant, tmp_path / "a.mp3", cache)
    assert not first.mastered_before and cache.master_stores == 1 and len(_entries(cache)) == 1

    copy = _read(_renamed(small_variant, "2024-06-29-ban-sao"), tmp_path / "b.mp3", cache)
    assert copy.mastered_before and cache.master_hits == 1 and cache.master_stores == 1
    # Same audio, same tags (the id is not among them): the same bytes, the same measurement.
    assert copy.sha256 == first.sha256 and copy.loudness == first.loudness
    assert copy.segments == first.segments and copy.captions and copy.captions.read_text() == first.captions.read_text()  # type: ignore[union-attr]
    integrated, true_peak, _ = ebur128(copy.path)  # ffmpeg on its own
    assert abs(integrated - LOUDNESS.integrated) <= LOUDNESS.tolerance and true_peak <= LOUDNESS.max_true_peak


def test_what_decides_the_bytes_decides_the_key(tmp_path: Path) -> None:
    base = mastering_key("a" * 64)
    assert base == mastering_key("a" * 64, LOUDNESS, 96)
    assert (
        len({base, mastering_key("b" * 64), mastering_key("a" * 64, bitrate_kbps=64), mastering_key("a" * 64, dataclasses.replace(LOUDNESS, integrated=-18.0))})
        == 4
    )


def test_another_bitrate_or_other_audio_is_mastered_afresh(small_variant, tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "cache")
    first = _read(small_variant, tmp_path / "a.mp3", cache)
    lower = _read(small_variant, tmp_path / "b.mp3", cache, bitrate_kbps=64)
    assert not lower.mastered_before and lower.bitrate_kbps == 64 and lower.bytes < first.bytes
    retitled = dataclasses.replace(small_variant, bulletin=dataclasses.replace(small_variant.bulletin, title="Tiêm chủng quý III"))
    other = _read(retitled, tmp_path / "c.mp3", cache)  # the title is read aloud: other audio
    assert not other.mastered_before and len(_entries(cache)) == 3


@pytest.mark.parametrize("damage", ["truncate", "flip", "no-json", "bad-json"])
def test_a_damaged_entry_is_mastered_again_and_replaced(small_variant, tmp_path: Path, damage: str) -> None:
    cache = SpeechCache(tmp_path / "cache")
    first = _read(small_variant, tmp_path / "a.mp3", cache)
    (mp3,) = _entries(cache)
    meta = mp3.with_suffix(".json")
    if damage == "truncate":
        mp3.write_bytes(mp3.read_bytes()[:1000])
    elif damage == "flip":
        data = bytearray(mp3.read_bytes())
        data[len(data) // 2] ^= 0xFF
        mp3.write_bytes(bytes(data))
    elif damage == "no-json":
        meta.unlink()
    else:
        meta.write_text("{not json", encoding="utf-8")

    again = _read(_renamed(small_variant, "2024-06-29-ban-sao"), tmp_path / "b.mp3", cache)
    assert not again.mastered_before and again.sha256 == first.sha256
    (repaired,) = _entries(cache)
    assert cache.master_stores == 2 and cache.mastered(repaired.stem) is not None


def test_a_cache_without_masters_keeps_none(small_variant, tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "cache", masters=False)
    _read(small_variant, tmp_path / "a.mp3", cache)
    again = _read(small_variant, tmp_path / "b.mp3", cache)
    assert not again.mastered_before and _entries(cache) == [] and cache.master_stores == 0


def test_bulletins_reading_the_same_audio_at_once_master_it_once(small_variant, tmp_path: Path) -> None:
    """Copies in one batch read at the same time: one masters, the others wait for it and take its MP3."""
    from concurrent.futures import ThreadPoolExecutor

    cache = SpeechCache(tmp_path / "cache")
    _read(small_variant, tmp_path / "warm-up.mp3", SpeechCache(tmp_path / "cache", masters=False))  # the chunks, spoken once
    copies = [_renamed(small_variant, f"2024-06-2{n}-ban-sao") for n in range(3)]
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda nv: _read(nv[1], tmp_path / f"{nv[0]}.mp3", cache), enumerate(copies)))
    assert cache.master_stores == 1 and cache.master_hits == 2
    assert sorted(r.mastered_before for r in results) == [False, True, True]
    assert len({r.sha256 for r in results}) == 1


def test_a_cache_that_cannot_take_the_master_does_not_fail_the_reading(small_variant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full cache (ENOSPC on its writes) keeps no mastered reading; the reading itself is published."""
    import errno

    from bantin.speech import cache as cache_module

    cache = SpeechCache(tmp_path / "cache")
    _read(small_variant, tmp_path / "warm-up.mp3", SpeechCache(tmp_path / "cache", masters=False))  # the chunks, spoken once

    def full(final: Path, keep_unchanged: bool = False):
        raise OSError(errno.ENOSPC, "No space left on device", str(final))

    monkeypatch.setattr(cache_module, "atomic_path", full)
    real_mkdir = Path.mkdir

    def no_lock_folder(self: Path, *args: object, **kwargs: object) -> None:
        if MASTERED in self.parts:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", no_lock_folder)
    result = _read(small_variant, tmp_path / "a.mp3", cache)
    assert result.path.is_file() and result.loudness is not None and result.loudness.within(LOUDNESS)
    assert cache.master_stores == 0 and not result.mastered_before and _entries(cache) == []

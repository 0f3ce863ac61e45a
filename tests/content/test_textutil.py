from __future__ import annotations

from bantin.textutil import fold_ascii, normalize_space, slugify


def test_fold_and_slug() -> None:
    assert fold_ascii("Đắk Nông đường") == "Dak Nong duong"
    assert slugify("Hội nghị  giao ban: Đắk Song!") == "hoi-nghi-giao-ban-dak-song"
    long = slugify("một " * 60, max_length=20)
    assert len(long) <= 20 and not long.endswith("-") and long.startswith("mot-mot")


def test_normalize_space_keeps_typography() -> None:
    assert normalize_space("  K’Thanh\u00a0\u00a0nói: “xin\u200b chào”  ") == "K’Thanh nói: “xin chào”"

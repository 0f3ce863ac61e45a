"""The URL fetcher: bantin's assets, the bulletin's asset folder and small data: URLs; every other URL is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bantin.paths import ASSETS_DIR
from bantin.render.fetcher import MAX_DATA_URL, SafeFetcher


def test_fetcher_serves_only_own_assets(tmp_path: Path) -> None:
    assets = tmp_path / "bulletin-assets"
    assets.mkdir()
    (assets / "a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    fetcher = SafeFetcher((ASSETS_DIR, assets))
    assert fetcher.fetch((assets / "a.svg").as_uri()).read()
    assert fetcher.fetch((ASSETS_DIR / "css" / "base.css").as_uri()).read()
    assert fetcher.fetch("data:text/plain;base64,QUJD").read() == b"ABC"
    for url in (
        "file:///etc/passwd",
        f"file://{assets}/../secret.txt",
        "http://example.invalid/x.png",
        "https://example.invalid/x.png",
        "data:text/plain;base64," + "A" * (MAX_DATA_URL + 1),
    ):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


def test_a_symlink_out_of_the_asset_folder_is_refused(tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (assets / "link.txt").symlink_to(tmp_path / "secret.txt")
    fetcher = SafeFetcher((assets,))
    with pytest.raises(ValueError, match="outside bantin's assets"):
        fetcher.fetch((assets / "link.txt").as_uri())
    assert fetcher.refused == [(assets / "link.txt").as_uri()]

"""Static export: the same pages with relative links, the listed files, packs and feeds."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
from click.testing import CliRunner
from portal_names import OLD_ID, SAMPLE_ID


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]+)"', html)


def test_export_writes_relative_site(portal_env: Path, tmp_path: Path) -> None:
    from bantin.cli import cli

    dest = tmp_path / "site"
    result = CliRunner().invoke(cli, ["portal", "--export", str(dest), "--public-url", "https://example.org/b/"])
    assert result.exit_code == 0, result.output
    for rel in [
        "index.html",
        "en/index.html",
        f"{SAMPLE_ID}/vi/index.html",
        f"en/{SAMPLE_ID}/en/index.html",
        f"{SAMPLE_ID}/manifest.json",
        f"packs/{SAMPLE_ID}.zip",
        f"packs/{OLD_ID}.zip",
        "feed/vi.xml",
        "feed/en.xml",
        "404.html",
    ]:
        assert (dest / rel).is_file(), rel
    assert not (dest / SAMPLE_ID / "secret.txt").exists()
    for page in dest.rglob("*.html"):
        for link in _links(page.read_text(encoding="utf-8")):
            assert not link.startswith(("/", "http:", "https:")), (page, link)
            if link.startswith("#"):
                continue
            from urllib.parse import unquote

            assert (page.parent / unquote(link)).resolve().is_file(), (page, link)
    feed = feedparser.parse((dest / "feed" / "vi.xml").read_bytes())
    assert feed.entries[0].enclosures[0]["href"] == f"https://example.org/b/{SAMPLE_ID}/vi/{SAMPLE_ID}.vi.mp3"
    again = CliRunner().invoke(cli, ["portal", "--export", str(dest), "--public-url", "https://example.org/b/"])
    assert again.exit_code == 0 and " 0 written" in again.output  # idempotent


def test_export_without_public_url_uses_relative_feed_links(portal_env: Path, tmp_path: Path) -> None:
    from bantin.cli import cli

    dest = tmp_path / "site"
    result = CliRunner().invoke(cli, ["portal", "--export", str(dest)])
    assert result.exit_code == 0 and "relative" in result.output
    feed = feedparser.parse((dest / "feed" / "vi.xml").read_bytes())
    assert feed.entries[0].enclosures[0]["href"] == f"../{SAMPLE_ID}/vi/{SAMPLE_ID}.vi.mp3"


def test_portal_refuses_missing_outputs(tmp_path: Path) -> None:
    from bantin.cli import cli

    result = CliRunner().invoke(cli, ["portal", "--outputs", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "no such outputs folder" in result.output


def test_export_with_base_url_writes_absolute_feed_urls_and_own_files(portal_env: Path, tmp_path: Path) -> None:
    from bantin.cli import cli
    from bantin.portal.static import khmer_font

    dest = tmp_path / "site"
    result = CliRunner().invoke(cli, ["portal", "--export", str(dest), "--base-url", "https://radio.example.org/bantin"])
    assert result.exit_code == 0 and "relative" not in result.output, result.output
    for locale in ("vi", "en"):
        feed = feedparser.parse((dest / "feed" / f"{locale}.xml").read_bytes())
        assert not feed.bozo and feed.entries
        urls = [feed.feed.link, feed.feed.image.href, *(link["href"] for link in feed.feed.links)]
        for entry in feed.entries:
            urls += [entry.link, *(e["href"] for e in entry.enclosures), *(link["href"] for link in entry.links)]
        assert all(u.startswith("https://radio.example.org/bantin/") for u in urls), urls
        assert feed.feed.image.href == "https://radio.example.org/bantin/cover.png"
    assert (dest / khmer_font().path).read_bytes() == khmer_font().data
    assert (dest / "favicon.ico").is_file() and (dest / "cover.png").read_bytes()[:4] == b"\x89PNG"


def test_export_refuses_a_base_url_that_is_not_absolute(portal_env: Path, tmp_path: Path) -> None:
    from bantin.cli import cli

    result = CliRunner().invoke(cli, ["portal", "--export", str(tmp_path / "site"), "--base-url", "radio.example.org/bantin"])
    assert result.exit_code == 2 and "not an absolute http(s) URL" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "site").exists()


def test_an_incremental_export_writes_only_the_new_bulletin_and_the_listings(tmp_path: Path, en_locales: Path, monkeypatch) -> None:
    """Time-independent: after one new bulletin, only its files, its pack and the listings/feeds are written; nothing else is touched."""
    import os

    from archive_helpers import build_archive, bulletin_id, commit, unpublish

    from bantin.portal import export_site

    monkeypatch.setenv("BANTIN_LOCALES", str(en_locales))
    root = build_archive(tmp_path / "outputs", 25)
    dest = tmp_path / "site"
    first = export_site(root, dest, public_url="https://radio.example.org/")
    assert len(first.bulletins_read) == 25 and (dest / "page" / "2" / "index.html").is_file() and (dest / "archive" / "2024-05" / "index.html").is_file()
    mp3 = f"{bulletin_id(3)}/vi/{bulletin_id(3)}.vi.mp3"
    assert os.path.samefile(dest / mp3, root / mp3)  # a hard link, not a copy
    before = {p.relative_to(dest).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in dest.rglob("*") if p.is_file()}

    commit(root, 40)
    new = bulletin_id(40)
    second = export_site(root, dest, public_url="https://radio.example.org/")
    assert second.bulletins_read == [new] and second.removed == []
    from bantin.portal.ui import ui_languages

    listings = ("index.html", "page/", "archive/", "feed/")
    listings = (*listings, *(f"{code}/{rel}" for code in ui_languages() for rel in listings))
    ours = (f"{new}/", f"packs/{new}.zip", *(f"{code}/{new}/" for code in ui_languages()))
    for rel in second.written:
        assert rel.startswith((*ours, *listings)), rel
    assert {f"{new}/vi/{new}.vi.mp3", f"{new}/manifest.json", f"packs/{new}.zip", f"{new}/vi/index.html", "feed/vi.xml", "index.html"} <= set(second.written)
    after = {p.relative_to(dest).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in dest.rglob("*") if p.is_file()}
    untouched = [rel for rel in before if not rel.startswith(listings) and rel != ".bantin-export.json"]
    assert untouched and all(after[rel] == before[rel] for rel in untouched)  # every other bulletin's files, pages and packs
    assert feedparser.parse((dest / "feed" / "vi.xml").read_bytes()).entries[0].id == f"bantin:{new}:vi"

    again = export_site(root, dest, public_url="https://radio.example.org/")
    assert again.written == [] and again.bulletins_read == []  # nothing changed: nothing written, no record read

    unpublish(root, 3)
    gone = export_site(root, dest, public_url="https://radio.example.org/")
    assert f"packs/{bulletin_id(3)}.zip" in gone.removed and not (dest / bulletin_id(3)).exists() and not (dest / "en" / bulletin_id(3)).exists()
    assert bulletin_id(3) not in (dest / "archive" / "2024-05" / "index.html").read_text(encoding="utf-8")
    assert bulletin_id(3) not in (dest / "feed" / "vi.xml").read_text(encoding="utf-8")

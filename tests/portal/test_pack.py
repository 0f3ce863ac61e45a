"""The broadcast pack: the listed files, deterministic bytes, served with download headers."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from portal_names import OLD_ID, SAMPLE_ID


def test_pack_holds_the_listed_files(client) -> None:
    r = client.get(f"/packs/{SAMPLE_ID}.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith(f'attachment; filename="{SAMPLE_ID}.zip"')
    zf = zipfile.ZipFile(io.BytesIO(r.content))
    assert zf.testzip() is None
    names = zf.namelist()
    manifest = json.loads(zf.read(f"{SAMPLE_ID}/manifest.json"))
    expected = sorted([f"{SAMPLE_ID}/manifest.json"] + [f"{SAMPLE_ID}/{o['path']}" for o in manifest["outputs"] if o["kind"] != "preview"])
    assert names == expected
    for o in manifest["outputs"]:
        if o["kind"] != "preview":
            assert hashlib.sha256(zf.read(f"{SAMPLE_ID}/{o['path']}")).hexdigest() == o["sha256"]
    assert not any(n.endswith("secret.txt") for n in names)
    assert {i.date_time for i in zf.infolist()} == {(2024, 6, 28, 9, 30, 0)}
    mp3 = next(i for i in zf.infolist() if i.filename.endswith(".mp3"))
    assert mp3.compress_type == zipfile.ZIP_STORED


def test_pack_is_deterministic_and_resumable(client, tmp_path) -> None:
    from bantin.portal import build_pack, load_library

    library = load_library(client.app.state.portal.config.outputs)
    b = library.get(SAMPLE_ID)
    one, two = build_pack(b, tmp_path / "1.zip"), build_pack(b, tmp_path / "2.zip")
    assert one.read_bytes() == two.read_bytes()
    served = client.get(f"/packs/{SAMPLE_ID}.zip")
    assert served.content == one.read_bytes()
    part = client.get(f"/packs/{SAMPLE_ID}.zip", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == served.content[100:200]
    assert client.get(f"/packs/{SAMPLE_ID}.zip", headers={"If-None-Match": served.headers["etag"]}).status_code == 304
    old = zipfile.ZipFile(io.BytesIO(client.get(f"/packs/{OLD_ID}.zip").content))
    assert old.namelist() == [f"{OLD_ID}/manifest.json", f"{OLD_ID}/vi/{OLD_ID}.vi.a4.pdf"]

"""The desk's editorial path through the whole app (TestClient) on a project made by ``bantin init``: real drafts, records, audit."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bantin.desk.web.i18n import desk_pot_path, desk_template
from bantin.i18n.catalogs import read_catalog
from bantin.paths import SHIPPED_LOCALES
from desk.conftest import audit_actions

RAW = """Hội nghị giao ban công tác dân vận quý II

Sáng 28/6/2024, Ban Dân vận Tỉnh ủy tổ chức hội nghị giao ban công tác dân vận quý II tại hội trường tỉnh.

Hội nghị đã đánh giá kết quả thực hiện nhiệm vụ và đề ra phương hướng quý III.

Hà My – Trung tâm VH-TT&TT huyện
"""
HTML = """<!DOCTYPE html><html><head><title>Tin</title></head><body><article><h1>Khánh thành cầu dân sinh</h1>
<p>Sáng 2/7/2024, xã Tân Hòa khánh thành cầu dân sinh mới nối hai thôn.</p><p>Cầu dài 40 mét, rộng 3 mét.</p></article></body></html>"""


def _bid(location: str) -> str:
    m = re.match(r"^/b/([^/]+)/$", location)
    assert m, location
    return m.group(1)


def test_add_edit_preview_submit_publish_retract_restore(browser_for, runner, project: Path) -> None:
    editor = browser_for("bich")
    added = editor.post("/new", {"text": RAW})
    assert added.status_code == 303
    bid = _bid(added.headers["location"])
    page = editor.get(f"/b/{bid}/")
    assert page.status_code == 200 and "Hội nghị giao ban công tác dân vận quý II" in page.text
    assert "nháp" in page.text and "Bản gốc" in page.text and "Sáng 28/6/2024" in page.text  # the source beside the form
    assert 'value="Hà My – Trung tâm VH-TT&amp;TT huyện"' in page.text  # the sign-off became the byline
    # the draft is not on the portal's side at all
    assert not (project / "content" / f"{bid}.yaml").exists() and not (project / "outputs" / bid).exists()

    # edit: an empty title is refused beside its field, the typed values kept
    bad = editor.post(f"/b/{bid}/", {"title": "", "date": "2024-06-28", "body[0].paragraph": "Đoạn mới."})
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text and 'aria-describedby="f-title-error"' in bad.text and 'id="f-title-error"' in bad.text
    assert "autofocus" in bad.text
    bad_date = editor.post(f"/b/{bid}/", {"title": "Tiêu đề", "date": "2024-02-30", "body[0].paragraph": "Đoạn."})
    assert bad_date.status_code == 422 and 'id="f-date-error"' in bad_date.text and "--date" not in bad_date.text
    saved = editor.post(
        f"/b/{bid}/",
        {"title": "Hội nghị giao ban dân vận quý II", "date": "2024-06-28", "body[0].paragraph": "Đoạn một đã sửa.", "new_paragraph": "Đoạn thêm."},
    )
    assert saved.status_code == 303
    yaml_text = (project / "desk" / "drafts" / f"{bid}.yaml").read_text()
    assert "Hội nghị giao ban dân vận quý II" in yaml_text and "Đoạn một đã sửa." in yaml_text and "Đoạn thêm." in yaml_text

    # preview: a draft render, nothing in outputs/
    started = editor.post(f"/b/{bid}/preview")
    assert started.status_code == 303 and started.headers["location"].startswith(f"/b/{bid}/runs/")
    request, name = runner.requests[-1]
    assert request.draft and request.bulletin.endswith(f"desk/drafts/{bid}.yaml") and name == "2024-06-28 Hội nghị giao ban dân vận quý II"
    run_page = editor.get(started.headers["location"])
    assert run_page.status_code == 200 and "Xem lần chạy trong Prefect" in run_page.text and "Dàn trang PDF (vi, a4)" in run_page.text
    assert '<meta http-equiv="refresh"' in run_page.text or "Đã xong" in run_page.text
    as_json = editor.get(started.headers["location"] + ".json").json()
    assert as_json["kind"] == "preview" and as_json["stages"][0]["label"] == "Dàn trang PDF (vi, a4)"
    preview = editor.get(f"/b/{bid}/preview")
    assert preview.status_code == 200 and "Trang in" in preview.text and "<audio" in preview.text and "Bản đọc máy (chất lượng thấp)" in preview.text
    png = editor.get(f"/b/{bid}/preview/vi/a4-page1.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert editor.get(f"/b/{bid}/preview/manifest.json").status_code == 404  # only what the record lists
    assert editor.get(f"/b/{bid}/preview/..%2F..%2Fusers.json").status_code == 404
    assert editor.get(f"/b/{bid}/preview/../../users.json").status_code == 404
    assert not (project / "outputs" / bid).exists()

    # submit; the editor cannot publish, the approver can
    assert editor.post(f"/b/{bid}/submit").status_code == 303
    assert "chờ duyệt" in editor.get(f"/b/{bid}/").text
    assert editor.post(f"/b/{bid}/publish").status_code == 403
    approver = browser_for("duyet")
    page = approver.get(f"/b/{bid}/")
    assert "Duyệt và xuất bản" in page.text
    published = approver.post(f"/b/{bid}/publish")
    assert published.status_code == 303
    request, _ = runner.requests[-1]
    assert request.bulletin == bid and request.approved_by == "duyet" and not request.draft
    assert (project / "content" / f"{bid}.yaml").is_file() and not (project / "desk" / "drafts" / f"{bid}.yaml").exists()

    # the reading is a machine one: held until an approver accepts it
    page = approver.get(f"/b/{bid}/")
    assert "đang bị giữ" in page.text and "Chấp nhận bản đọc máy (vi)" in page.text
    assert approver.post(f"/b/{bid}/accept", {"locale": "vi"}).status_code == 303
    assert "đang bị giữ" not in approver.get(f"/b/{bid}/").text

    # retract needs a reason; then restore
    no_reason = approver.post(f"/b/{bid}/retract", {"reason": ""})
    assert no_reason.status_code == 422 and 'id="f-reason-error"' in no_reason.text
    assert approver.post(f"/b/{bid}/retract", {"reason": "Thông tin sai, cần đính chính"}).status_code == 303
    page = approver.get(f"/b/{bid}/")
    assert "đã gỡ" in page.text and "Thông tin sai, cần đính chính" in page.text
    assert approver.post(f"/b/{bid}/restore").status_code == 303
    assert "Đang đăng trên cổng tin" in approver.get(f"/b/{bid}/").text

    actions = audit_actions(project, bid)
    for action in ("added", "edited", "submitted", "approved", "accepted_reading", "retracted", "restored"):
        assert action in actions
    audit = editor.get(f"/b/{bid}/audit")
    assert audit.status_code == 200 and "gỡ bỏ" in audit.text and "duyet" in audit.text and "Thông tin sai" in audit.text

    listing = editor.get("/")
    assert "Hội nghị giao ban dân vận quý II" in listing.text
    assert "không có gì" not in editor.get("/?q=hoi+nghi").text and "1 bản tin khớp" in editor.get("/?q=hoi+nghi").text
    assert "0 bản tin khớp" in editor.get("/?q=khong+co+gi").text


def test_new_bulletin_from_pasted_html_an_upload_and_errors_beside_the_field(browser_for, project: Path) -> None:
    editor = browser_for("bich")
    pasted = editor.post("/new", {"text": HTML})
    assert pasted.status_code == 303
    bid = _bid(pasted.headers["location"])
    page = editor.get(f"/b/{bid}/")
    assert "Khánh thành cầu dân sinh" in page.text and "DOCTYPE" not in page.text.split("Bản gốc")[0].split("<main")[1]

    upload = editor.client.post(
        "/new",
        data={"csrf": editor.token},
        files={"upload": ("tin.txt", io.BytesIO(RAW.replace("quý II", "quý III").encode()), "text/plain")},
        follow_redirects=False,
    )
    assert upload.status_code == 303

    fake = editor.client.post(
        "/new", data={"csrf": editor.token}, files={"upload": ("tin.docx", io.BytesIO(b"\x7fELF" + b"\x00" * 100), "application/octet-stream")}
    )
    assert fake.status_code == 422 and 'id="f-upload-error"' in fake.text and "Traceback" not in fake.text
    none = editor.post("/new", {"text": "  "})
    assert none.status_code == 422 and 'id="f-text-error"' in none.text and "đúng một nguồn" in none.text
    two = editor.post("/new", {"text": RAW, "url": "https://example.org/tin.html"})
    assert two.status_code == 422 and 'id="f-url-error"' in two.text
    bad_date = editor.post("/new", {"text": RAW, "date": "28/6"})
    assert bad_date.status_code == 422 and 'id="f-date-error"' in bad_date.text and "--date" not in bad_date.text
    refused = editor.post("/new", {"url": "http://127.0.0.1:9/tin.html"})  # not a public address
    assert refused.status_code == 422 and 'id="f-url-error"' in refused.text
    again = editor.post("/new", {"text": HTML})  # the same bulletin twice
    assert again.status_code == 422 and "error-summary" in again.text


def test_users_and_schedules_pages_for_admins(browser_for, project: Path) -> None:
    from bantin.publish.deployments import read_times

    admin = browser_for("quantri")
    page = admin.get("/admin/users")
    assert page.status_code == 200 and "biên tập viên" in page.text and "người duyệt" in page.text
    mismatch = admin.post("/admin/users", {"name": "lan", "role": "editor", "password": "mot-mat-khau-dai", "password2": "khac-han"})
    assert mismatch.status_code == 422 and 'id="f-password2-error"' in mismatch.text
    added = admin.post("/admin/users", {"name": "lan", "role": "approver", "password": "mot-mat-khau-dai", "password2": "mot-mat-khau-dai"})
    assert added.status_code == 200 and "Đã thêm người dùng lan" in added.text
    assert admin.post("/admin/users/lan", {"change": "disable"}).status_code == 200
    from desk.conftest import Browser

    assert Browser(admin.client.__class__(admin.client.app)).login("lan", "mot-mat-khau-dai").status_code == 401
    assert {"user_added", "user_changed"} <= set(audit_actions(project, None))

    deployments = project / "deployments.yaml"
    before = read_times(deployments)
    page = admin.get("/admin/schedules")
    assert page.status_code == 200 and "Asia/Ho_Chi_Minh" in page.text and "cron" not in page.text
    bad = admin.post("/admin/schedules", {"new_time": "25:00"})
    assert bad.status_code == 422 and 'id="f-new-time-error"' in bad.text
    fields = {f"time-{i}": t for i, t in enumerate(before, start=1)}
    ok = admin.post("/admin/schedules", {**fields, "new_time": "17:00"})
    assert ok.status_code == 200 and "Đã lưu lịch" in ok.text
    assert read_times(deployments) == sorted({*before, "17:00"})
    removed = admin.post("/admin/schedules", {"time-1": "17:00", "remove-1": "1"})
    assert removed.status_code == 200 and "17:00" not in read_times(deployments)
    assert "schedule_changed" in audit_actions(project, None)


def test_desk_catalog_is_current_and_english_is_offered(browser_for) -> None:
    shipped = read_catalog(desk_pot_path(SHIPPED_LOCALES))
    assert sorted(m.id for m in shipped if m.id) == sorted(m.id for m in desk_template() if m.id)
    b = browser_for()
    english = b.client.get("/login", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.text and "Log in" in english.text

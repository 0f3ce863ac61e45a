"""Names the portal tests share (a module of its own: ``from conftest import`` would depend on sys.path order)."""

from __future__ import annotations

SAMPLE_ID = "2024-06-28-hoi-nghi-giao-ban-cong-tac-dan-van-cac-huyen-uy-thanh-uy-quy-ii-trien"
OLD_ID = "2024-05-02-tin-cu"
EN_TITLE = "Mass mobilization briefing of district Party committees, second quarter 2024"
VI_TRANSCRIPT = "Sáng 28/6/2024, Ban Dân vận Tỉnh ủy tổ chức hội nghị giao ban.\n\nHội nghị triển khai nhiệm vụ quý III."
#: A transcript file name that is not ASCII, to test Content-Disposition.
VI_TRANSCRIPT_NAME = f"vi/bản đọc {SAMPLE_ID}.vi.txt"
#: The address tests reach the portal at: a Host every portal answers (TestClient's own "testserver" gets 400).
LOCAL = "http://localhost"
#: Where a portal configured with the defaults says it listens: the base of its feed links without a public URL.
BOUND = "http://127.0.0.1:8080"

"""Helpers of the desk-core tests: a fresh project with a small bulletin, and subprocess environments for it."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from bantin.content.model import Bulletin, Paragraph

SMALL_ID = "2024-06-28-tiem-chung-mo-rong"


def small_bulletin(title: str = "Tiêm chủng mở rộng quý II", bulletin_id: str = SMALL_ID, date: dt.date = dt.date(2024, 6, 28)) -> Bulletin:
    """A two-paragraph Vietnamese bulletin: quick to render and read."""
    return Bulletin(
        id=bulletin_id,
        title=title,
        date=date,
        body=(
            Paragraph("Sáng 28/6, 6/6 xã đã hoàn thành 95,5% kế hoạch tiêm chủng."),
            Paragraph("Người dân liên hệ trạm y tế xã để được hướng dẫn."),
        ),
        source="Trung tâm Y tế huyện",
    )


def make_project(folder: Path) -> Path:
    """``bantin init`` into ``folder``; returns it."""
    from bantin.project import init_project

    init_project(folder)
    return folder


def project_env(root: Path) -> dict[str, str]:
    """The environment of a bantin subprocess working on ``root`` (the session's speech cache and temporary server kept)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_") or k in ("BANTIN_CACHE", "BANTIN_SERVER")}
    env.update({"BANTIN_ROOT": str(root), "PYTHONUNBUFFERED": "1"})
    return env

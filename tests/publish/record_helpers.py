"""Helpers of the record tests: a small project (two-paragraph bulletin) and how to publish it in a subprocess."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SMALL_ID = "2024-06-28-tiem-chung"
DRIVER = Path(__file__).resolve().parent / "publish_driver.py"


@dataclass
class SmallProject:
    """A bantin project with one small bulletin; ``env`` runs bantin on it in a subprocess with its own TMPDIR."""

    root: Path
    source: Path
    tmp: Path

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_") or k in ("BANTIN_CACHE", "BANTIN_SERVER")}
        env.update({"BANTIN_ROOT": str(self.root), "TMPDIR": str(self.tmp), "PYTHONUNBUFFERED": "1"})
        return env

    def edit(self, n: int) -> None:
        """Rewrite the last paragraph (edition ``n``): the PDF and the reading change."""
        lines = self.source.read_text(encoding="utf-8").splitlines()
        lines[-1] = f"- paragraph: Người dân liên hệ trạm y tế xã lần thứ {n} để được hướng dẫn."
        self.source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def driver(self, profile: str = "a4", read: bool = False) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(DRIVER), str(self.source), profile, *(["read"] if read else [])],
            cwd=self.root,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def publish(self, profile: str = "a4", read: bool = False) -> str:
        proc = self.driver(profile, read)
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        return out

    def leftovers(self) -> list[str]:
        """bantin temp folders left in this project's TMPDIR."""
        return sorted(p.name for p in self.tmp.iterdir() if p.name.startswith("bantin-"))


def make_small_project(folder: Path) -> SmallProject:
    from bantin.content.bulletin_file import save_bulletin
    from bantin.content.model import Bulletin, Paragraph
    from bantin.project import init_project

    init_project(folder)
    bulletin = Bulletin(
        id=SMALL_ID,
        title="Tiêm chủng mở rộng quý II",
        date=dt.date(2024, 6, 28),
        body=(
            Paragraph("Sáng 28/6, 6/6 xã đã hoàn thành 95,5% kế hoạch tiêm chủng."),
            Paragraph("Người dân liên hệ trạm y tế xã để được hướng dẫn."),
        ),
        source="Trung tâm Y tế huyện",
    )
    source = folder / "content" / f"{SMALL_ID}.yaml"
    save_bulletin(bulletin, source)
    tmp = folder.parent / "tmp"
    tmp.mkdir(exist_ok=True)
    return SmallProject(folder.resolve(), source, tmp)

"""Imported once by the render forkserver: one small render per script, so every render child starts warm.

A child forked from a forkserver that has only imported WeasyPrint still loads
fontconfig's configuration, the bundled fonts, WeasyPrint's user-agent
stylesheets, bantin's own stylesheets, the bundled fonts' coverage table and the bulletin template on its first render: about 0.12 s of a
0.32 s A5 render of the sample.  Doing that once here, before any fork, gives
every child those for free (copy-on-write).  A failed warm-up only leaves the
children cold: slower, never wrong.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from pathlib import Path

__all__ = ["warm_up"]


def warm_up() -> None:
    """Compile the template and render a two-line bulletin in Vietnamese, English and Khmer to a throw-away folder."""
    with contextlib.suppress(Exception):
        from bantin.content.model import Bulletin, Paragraph
        from bantin.i18n.localize import localize
        from bantin.render import html
        from bantin.render.jobs import RenderJob
        from bantin.render.pdf import preload_stylesheets, render_job

        html.warm_up()
        preload_stylesheets()
        bulletin = Bulletin(id="warm-up", title="Khởi động", date=dt.date(2024, 1, 1), body=(Paragraph("Bản tin thử: 28/6/2024."),))
        with tempfile.TemporaryDirectory(prefix="bantin-warm-up-") as folder:
            for code in ("vi", "en", "km"):  # en also loads its hyphenation dictionary
                with contextlib.suppress(Exception):  # a locale missing from this project: warm what the others give
                    render_job(RenderJob(localize(bulletin, code), "a5", Path(folder) / f"{code}.pdf", force=True))


warm_up()

"""A library-level publish of one small bulletin (vi, one profile, espeak), run in a subprocess by the kill trials.

Not a test module: ``python publish_driver.py BULLETIN.yaml PROFILE [read]`` composes the
same library pieces the Prefect flow uses (lock, staging, render, reading,
:func:`build_run_record`, :func:`merge`, commit) without Prefect's start-up cost,
so a kill at a random instant lands in the stages or the swap, not in imports.
Settings come from the environment (BANTIN_ROOT, BANTIN_OUTPUTS, BANTIN_CACHE, TMPDIR).
"""

from __future__ import annotations

import sys
from pathlib import Path

from bantin.content.bulletin_file import load_bulletin
from bantin.i18n.localize import localize
from bantin.paths import pdf_path, reading_path
from bantin.publish.keys import run_inputs
from bantin.publish.manifest import RunOutputs, RunSource, build_run_record
from bantin.publish.record import merge
from bantin.publish.store import BulletinStore, run_tempdir
from bantin.render.pdf import render_pdf
from bantin.speech.engines import get_engine
from bantin.speech.normalize import normalize
from bantin.speech.reading import synthesize_reading


def main(source: Path, profile: str, read: bool) -> None:
    bulletin = load_bulletin(source)
    store = BulletinStore(bulletin.id)
    with store.locked(), run_tempdir():
        out = store.begin()
        variant = localize(bulletin, "vi", reading=reading_path(out, bulletin.id, "vi").name if read else None)
        print("staging", flush=True)
        pdf = render_pdf(variant, profile, pdf_path(out, bulletin.id, "vi", profile))
        print("rendered", flush=True)
        readings = []
        if read:
            readings.append(synthesize_reading(variant, get_engine("espeak"), reading_path(out, bulletin.id, "vi"), prepare=normalize))
            print("read", flush=True)
        current = run_inputs(source, bulletin, ["vi"])
        run = build_run_record(RunSource(bulletin, source, out, current), RunOutputs(locales=["vi"], pdfs=[pdf], readings=readings, variants={"vi": variant}))
        store.commit(merge(store.record(), run, ["vi"], [profile], {"vi": current.shared("vi")}))
    print("committed", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3:] == ["read"])

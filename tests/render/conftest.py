"""Render fixtures: the 9 PDFs (3 locales × 3 profiles, with a QR code) rendered once per session, and the vi A4 sample."""

from __future__ import annotations

import pytest

from testing_utils import make_variant

LOCALES = ("vi", "en", "km")
#: The reading file name the vi sample carries: it says a reading is made, and is never printed.
READING = "sample.vi.mp3"
#: The public URL the 9 PDFs are rendered with: each ends with a QR code and the portal address of its page.
PUBLIC_URL = "https://tin.example.org/ban-tin"


@pytest.fixture(scope="session")
def public_url() -> str:
    """The public base URL the 9 PDFs of ``rendered`` carry."""
    return PUBLIC_URL


@pytest.fixture(scope="session")
def variants(sample_bulletin) -> dict:
    """vi through the catalogs (with a reading), en and km built directly in their scripts."""
    from bantin.i18n.localize import localize

    return {"vi": localize(sample_bulletin, "vi", reading=READING), "en": make_variant(sample_bulletin, "en"), "km": make_variant(sample_bulletin, "km")}


@pytest.fixture(scope="session")
def rendered(variants, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """All 9 PDFs with a QR code (``PUBLIC_URL``), through the parallel child-process path; keyed by (locale, profile)."""
    from bantin.render.isolation import render_many
    from bantin.render.jobs import RenderJob, RenderResult
    from bantin.render.profiles import PROFILES

    out = tmp_path_factory.mktemp("profiles")
    jobs = [RenderJob(variants[code], name, out / code / f"b.{code}.{name}.pdf", public_url=PUBLIC_URL) for code in LOCALES for name in PROFILES]
    results = render_many(jobs)
    assert all(isinstance(r, RenderResult) for r in results), results
    return {(r.locale, r.profile): r for r in results}


@pytest.fixture(scope="session")
def sample_pdf(sample_variant, tmp_path_factory: pytest.TempPathFactory):
    """The vi sample on A4, rendered in this process."""
    from bantin.render.pdf import render_pdf

    return render_pdf(sample_variant, "a4", tmp_path_factory.mktemp("render") / "sample.vi.a4.pdf")

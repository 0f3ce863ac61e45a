"""The profile registry: three profiles, their page sizes and type sizes, and a registry that imports light."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pikepdf
import pytest

from bantin.errors import UnknownProfileError
from bantin.render.profiles import PROFILES, get_profile
from testing_utils import A4_PT, A5_PT, body_size, char_sizes, page_boxes

HEAVY = ("weasyprint", "pikepdf", "segno", "jinja2", "pypdfium2")


def test_registry_has_the_three_profiles() -> None:
    assert list(PROFILES) == ["a4", "a5", "large-print"]
    for profile in PROFILES.values():
        assert profile.stylesheet_path.is_file()
    # Only the A4 poster steps its type down to fit one page (never under 9 pt); the leaflet and large print keep
    # their sizes.  Large print never hyphenates.
    assert [name for name, p in PROFILES.items() if p.fit_scale] == ["a4"]
    scale = PROFILES["a4"].fit_scale
    assert scale[0].body_pt == 11.0 and PROFILES["a4"].floor_pt == 9.0
    assert all(a.body_pt > b.body_pt and a.line_height >= b.line_height for a, b in itertools.pairwise(scale))
    assert [name for name, p in PROFILES.items() if not p.hyphenate] == ["large-print"]


def test_unknown_profile_lists_known() -> None:
    with pytest.raises(UnknownProfileError, match="Known profiles: a4"):
        get_profile("a3")


@pytest.mark.parametrize("module", ["bantin.render", "bantin.render.profiles", "bantin.render.jobs", "bantin.publish.deployments"])
def test_importing_the_registry_loads_no_renderer(module: str) -> None:
    """Config validation (deployments, CLI) imports the registry: it must not drag WeasyPrint and pikepdf in."""
    code = f"import sys, {module}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


@pytest.mark.parametrize("module", ["bantin.render.cache", "bantin.render.isolation"])
def test_the_parent_side_of_rendering_loads_no_renderer(module: str) -> None:
    """Keys and child processes are managed without WeasyPrint in the parent (the forkserver preloads it)."""
    code = f"import sys, {module}; print(' '.join(m for m in ('weasyprint', 'pikepdf') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split() == []


def test_the_import_check_sees_a_renderer() -> None:
    """The check above can fail: the rendering module does load WeasyPrint and pikepdf."""
    code = f"import sys, bantin.render.pdf; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert {"weasyprint", "pikepdf"} <= set(loaded)


@pytest.mark.parametrize(("profile", "size"), [("a4", A4_PT), ("a5", A5_PT), ("large-print", A4_PT)])
def test_page_boxes_match_the_profile(rendered, profile: str, size: tuple[float, float]) -> None:
    boxes = page_boxes(rendered[("vi", profile)].path)
    assert boxes["TrimBox"] == (0, 0, *size)
    assert boxes["MediaBox"] == (0, 0, *size)


def test_large_print_glyphs_are_18pt_or_more_and_sans(rendered) -> None:
    for code in ("vi", "en", "km"):
        path = rendered[(code, "large-print")].path
        sizes = [size for _, size in char_sizes(path)]
        assert sizes and min(sizes) >= 18 - 0.01, (code, min(sizes))
    # The standard profile is the control: its body text is smaller.
    assert min(size for _, size in char_sizes(rendered[("vi", "a4")].path)) < 12
    with pikepdf.open(rendered[("vi", "large-print")].path) as pdf:
        names = {str(f.BaseFont) for page in pdf.pages for _, f in page.Resources.Font.items()}
    assert names and all("Sans" in n and "Serif" not in n and "Italic" not in n for n in names), names


def test_leaflet_and_large_print_keep_their_sizes_even_over_several_pages(rendered) -> None:
    """The sample spills over pages in A5 and large print; neither shrinks (a5.css: 9.5 pt, large-print.css: 18 pt)."""
    a5, large = rendered[("vi", "a5")], rendered[("vi", "large-print")]
    assert a5.pages > 1 and large.pages > 1
    assert body_size(a5.path) == 9.5
    assert body_size(large.path) == 18.0

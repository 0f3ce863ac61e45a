"""What is translatable: the chrome template from the package's code and templates, one message per bulletin text unit."""

from __future__ import annotations

from bantin.i18n.catalogs import bulletin_pot_path, chrome_pot_path, read_catalog
from bantin.i18n.templates import bulletin_template, chrome_template, translatable_units
from testing_utils import ROOT

LOCALES = ROOT / "locales"


def test_shipped_templates_are_current(sample_bulletin) -> None:
    """chrome.pot holds exactly what the code and templates use; the bulletin template every block."""
    shipped = read_catalog(chrome_pot_path(LOCALES))
    assert sorted(m.id for m in shipped if m.id) == sorted(m.id for m in chrome_template() if m.id)
    assert {"Bản tin", "Nguồn", "Tin, ảnh", "Ảnh không có sẵn", "Trang {page}/{pages}", "Nghe bản đọc"} <= {m.id for m in shipped}
    pot = read_catalog(bulletin_pot_path(sample_bulletin.id, LOCALES))
    units = [(u.key, u.text) for u in sample_bulletin.text_units()]
    assert [(m.context, m.id) for m in pot if m.id] == units
    assert next(m.auto_comments for m in pot if m.id) == ["title"]
    fresh = bulletin_template(sample_bulletin)
    assert [(m.context, m.id) for m in fresh if m.id] == [(u.key, u.text) for u in translatable_units(sample_bulletin)]

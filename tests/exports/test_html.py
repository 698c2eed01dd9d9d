"""HTML export: self-contained, carries title/as-of/version, same map as the dashboard, opens offline."""
from __future__ import annotations

import re

import pytest

from exports.html import REMOTE_LINK, export_html
from exports.options import ExportOptions
from tests.support.parcel_map import PIXELS_JS, wrong_pixels
from vocab.labels import STAGE_COLOURS, STAGE_LABELS_VI

#: Parcels the canvas layer drew in the last redraw, and those shown with a stage colour as their fill.
_STAGE_PARCELS_JS = """(colours) => { const l = window.GPMBParcels.layers[0];
    return {drawn: l.drawn, coloured: l.styles().filter(s => s && colours.includes(s[0].toLowerCase())).length}; }"""


def test_self_contained_no_network_address(snap, fake_store):
    page = export_html(snap, fake_store)
    assert REMOTE_LINK.findall(page) == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.I)
    assert "{z}" not in page  # no tile URL template: the online basemap is not offered in the export
    assert "<script>" in page and "L.map" in page  # Leaflet inlined


def test_title_as_of_and_data_version(snap, fake_store):
    page = export_html(snap, fake_store)
    assert "<title>TIẾN ĐỘ GIẢI PHÓNG MẶT BẰNG" in page
    assert "Số liệu đến ngày 30/06/2024" in page
    assert "lần cập nhật số 7" in page
    assert "MINH HỌA" in page and "GẦN ĐÚNG" in page


def test_personal_data_left_out_by_default(snap, fake_store):
    page = export_html(snap, fake_store)
    assert not any(name in page for name in snap.parcels.owner_name)
    assert "Không kèm dữ liệu cá nhân" in page
    assert "CÓ DỮ LIỆU CÁ NHÂN" not in page


def test_personal_data_with_the_option_and_the_file_says_so(snap, fake_store):
    page = export_html(snap, fake_store, ExportOptions(include_personal_data=True))
    plain_names = [n for n in snap.parcels.owner_name if n.startswith("Nguyễn")]
    assert len(plain_names) == len(snap.parcels) - 1  # parcel 0 holds a formula-injection string
    assert all(name in page for name in plain_names)
    assert "=HYPERLINK(" in page and 'HYPERLINK("' not in page  # shown as escaped text, never markup
    assert "CÓ DỮ LIỆU CÁ NHÂN" in page
    assert "Không kèm dữ liệu cá nhân" not in page


def test_unknown_project_refused(snap, fake_store):
    with pytest.raises(ValueError, match="Không có dự án 'NOPE'"):
        export_html(snap, fake_store, ExportOptions(project_id="NOPE"))


def _open(page, tmp_path, html: str):
    path = tmp_path / "ban_do.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_function("() => window.__gpmbDrawn > 0")
    page.wait_for_timeout(300)


@pytest.mark.browser
def test_browser_draws_every_parcel_and_the_legend_offline(snap, fake_store, browser_page, tmp_path):
    page, blocked = browser_page
    _open(page, tmp_path, export_html(snap, fake_store))
    n = page.evaluate(_STAGE_PARCELS_JS, [c.lower() for c in STAGE_COLOURS.values()])
    assert n == {"drawn": len(snap.parcels), "coloured": len(snap.parcels)}
    samples = page.evaluate(PIXELS_JS)                                  # and the pixels say so
    assert len(samples) == len(snap.parcels) and wrong_pixels(samples) == []
    legend = page.inner_text("body")
    assert "Chú giải" in legend
    for label in STAGE_LABELS_VI.values():
        assert label in legend
    assert "Số liệu đến ngày 30/06/2024" in legend
    assert blocked == []


@pytest.mark.browser
def test_browser_one_project_only(snap, fake_store, browser_page, tmp_path):
    page, blocked = browser_page
    _open(page, tmp_path, export_html(snap, fake_store, ExportOptions(project_id="CCN_HT1")))
    n = page.evaluate(_STAGE_PARCELS_JS, [c.lower() for c in STAGE_COLOURS.values()])
    mine = int((snap.parcels.project_id == "CCN_HT1").sum())
    assert n == {"drawn": mine, "coloured": mine}
    assert page.evaluate("() => window.GPMBParcels.layers[0]._geo.n") == mine   # no other project's parcel in the file
    assert "Cụm công nghiệp Hợp Thành 1" in page.title()
    assert blocked == []


def test_the_html_export_of_the_bundled_store_carries_the_resettlement_layer(real):
    snapshot, store = real
    page = export_html(snapshot, store)
    area = store.resettlement_areas().iloc[0]
    assert page.count("gpmb-resettlement") >= 1 and "gpmb-area-legend" in page
    assert "Khu tái định cư – " + str(area["name"]) in page and "Tiến độ xây dựng: 85,0%" in page
    only_ccn = export_html(snapshot, store, ExportOptions(project_id="CCN_HT1"))
    assert "gpmb-resettlement" not in only_ccn      # the project filter limits the areas as the boundaries

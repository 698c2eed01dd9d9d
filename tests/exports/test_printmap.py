"""Print map: PDF page sizes, not blank, searchable Vietnamese text, PNG resolution, reproducibility."""
from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from exports.cartography import choose_scale, nice_length_m
from exports.options import ExportOptions
from exports.printmap import render_print_map
from vocab.labels import STAGE_LABELS_VI

MM = 72 / 25.4  # PDF points per millimetre


@pytest.fixture(scope="module")
def default_pdf(snap, fake_store):
    return render_print_map(snap, fake_store, ExportOptions(), "pdf")


def test_default_pdf_is_a3_landscape_overview_plus_one_page_per_project(default_pdf, snap):
    reader = PdfReader(io.BytesIO(default_pdf))
    roads = int((snap.projects["kind"] == "road").sum())                  # QL4B: one chainage-strip page
    # + one table page: the communes league (the synthetic snapshot has no blocking set)
    assert roads == 1 and len(reader.pages) == 1 + len(snap.projects) + roads + 1
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(420 * MM, abs=0.5)
        assert float(box.height) == pytest.approx(297 * MM, abs=0.5)


@pytest.mark.parametrize("paper,orientation,size_mm", [
    ("A4", "portrait", (210, 297)), ("A4", "landscape", (297, 210)), ("A3", "portrait", (297, 420)),
])
def test_page_size_in_points(snap, fake_store, paper, orientation, size_mm):
    opts = ExportOptions(paper=paper, orientation=orientation, project_id="CCN_HT1")
    reader = PdfReader(io.BytesIO(render_print_map(snap, fake_store, opts, "pdf")))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((size_mm[0] * MM, size_mm[1] * MM), abs=0.5)


def test_pdf_text_has_title_date_legend_and_caveats(default_pdf):
    reader = PdfReader(io.BytesIO(default_pdf))
    first = reader.pages[0].extract_text()
    assert "TIẾN ĐỘ GIẢI PHÓNG MẶT BẰNG" in first
    assert "Số liệu đến ngày 30/06/2024" in first
    assert "lần cập nhật số 7" in first
    assert "CHÚ GIẢI" in first
    for label in STAGE_LABELS_VI.values():
        assert label in first
    for text in ("Khiếu nại chưa giải quyết", "Chỉ giới GPMB", "Ranh giới xã, phường", "Tỷ lệ 1:",
                 "MINH HỌA", "GẦN ĐÚNG", "Vietnamese Provinces Database", "LegoCity", "EPSG:9215",
                 "PHƯỜNG KỲ LỪA", "Km5"):
        assert text in first, text
    project_page = reader.pages[3].extract_text()
    assert "Cải tạo, nâng cấp Quốc lộ 4B" in project_page
    assert "Không đạt" in project_page  # its missed milestone


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (pdftoppm)")
def test_pdf_page_is_not_blank(default_pdf, tmp_path):
    pdf = tmp_path / "map.pdf"
    pdf.write_bytes(default_pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")], check=True)
    img = np.asarray(Image.open(next(tmp_path.glob("p*.png"))).convert("RGB"))
    colours = {tuple(c) for c in img.reshape(-1, 3)[::7]}
    assert len(colours) > 50
    white = (img > 245).all(axis=2).mean()
    assert white < 0.9  # the map frame is filled, not a white page with a title
    # Stage colours of the parcels are drawn somewhere on the page (handed_over green #43a047).
    green = np.abs(img.astype(int) - np.array([0x43, 0xA0, 0x47])).sum(axis=2) < 30
    assert green.sum() > 20


def test_png_at_requested_dpi(snap, fake_store):
    opts = ExportOptions(paper="A4", orientation="landscape", dpi=100, project_id="QL4B")
    img = Image.open(io.BytesIO(render_print_map(snap, fake_store, opts, "png")))
    assert img.size == pytest.approx((round(297 / 25.4 * 100), round(210 / 25.4 * 100)), abs=2)
    pixels = np.asarray(img.convert("RGB"))
    assert len(np.unique(pixels.reshape(-1, 3)[::11], axis=0)) > 50


def test_pdf_is_reproducible(snap, fake_store):
    opts = ExportOptions(paper="A4", project_id="CA_XA")
    assert render_print_map(snap, fake_store, opts, "pdf") == render_print_map(snap, fake_store, opts, "pdf")


def test_unknown_project_and_format_are_refused(snap, fake_store):
    with pytest.raises(ValueError, match="Không có dự án"):
        render_print_map(snap, fake_store, ExportOptions(project_id="NOPE"), "pdf")
    with pytest.raises(ValueError, match="Định dạng"):
        render_print_map(snap, fake_store, ExportOptions(), "svg")


def test_owner_names_never_on_the_print_map(default_pdf, snap):
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(default_pdf)).pages)
    assert not any(name in text for name in snap.parcels.owner_name)


def test_standard_scale_and_scale_bar_lengths():
    # 6 km of ground in a 300 mm frame needs 1:20 000 → the next standard scale is 1:25 000.
    assert choose_scale(6000, 1000, 300, 200) == 25_000
    assert choose_scale(100, 100, 300, 200) == 500
    assert choose_scale(2_000_000, 10, 100, 100) == 20_000_000
    assert nice_length_m(3700) == 2000
    assert nice_length_m(999) == 500
    assert nice_length_m(1000) == 1000


def test_print_map_needs_only_codes_not_display_columns(snap, fake_store):
    """Words on the print map come from the codes (``stage``, ``risk_flags``, ``status``) through the
    vocabulary: display columns with wrong words beside them change nothing, byte for byte."""
    import dataclasses

    assert "stage_label" not in snap.parcels.columns  # the snapshot carries codes only
    decoy = dataclasses.replace(snap, parcels=snap.parcels.assign(stage_label="SAI", risk_labels="SAI"))
    opts = ExportOptions(paper="A4", project_id="QL4B")
    assert render_print_map(decoy, fake_store, opts, "pdf") == render_print_map(snap, fake_store, opts, "pdf")


def test_flag_symbols_are_labelled_by_the_vocabulary():
    from exports.printmap import FLAG_SYMBOLS
    from vocab.labels import risk_flag_label

    assert {code: label for code, (_m, _c, label) in FLAG_SYMBOLS.items()} == {
        code: risk_flag_label(code) for code in ("complaint_open", "enforced", "compulsory_inventory")}


def test_overview_lists_every_milestone_of_each_project(snap):
    """Met ones too (issue 11: the expressway's met 70 % was hidden behind its failed households milestone)."""
    import dataclasses

    from exports.printmap import _summary_lines
    from vocab.format import fmt_date

    extra = snap.milestones[snap.milestones["milestone_id"] == "M3"].assign(
        milestone_id="M5", due_date=date(2024, 3, 1), status="met", actual_percent=60.0, target_percent=20.0,
        met_on=date(2024, 3, 5), reached_late=True)
    shown = dataclasses.replace(snap, milestones=pd.concat([snap.milestones, extra], ignore_index=True))
    lines = [line for line, _colour, _bold in _summary_lines(shown, None, {})]
    milestone_lines = [line for line in lines if line.strip().startswith("Mốc ")]
    assert len(milestone_lines) == len(shown.milestones) == 5
    assert any(f"Mốc {fmt_date(date(2024, 3, 1))}" in line and "Đạt muộn ngày 05/03/2024" in line for line in lines)
    assert any("Xã Gia Cát" in line and "Chậm tiến độ" in line for line in lines)       # QL4B's scoped one


def test_strip_page_of_the_road_project(default_pdf, snap):
    reader = PdfReader(io.BytesIO(default_pdf))
    last = reader.pages[1 + len(snap.projects)].extract_text()           # after the overview and project pages
    assert "Sơ đồ lý trình Km3+700 – Km13+000" in last and "Km sạch" in last
    assert "Thửa điểm nghẽn" in last and "Km8+000" in last


def test_meridian_convergence_uses_the_store_crs_by_default():
    import math

    from exports.cartography import meridian_convergence_deg
    from gis.crs import transformer

    x, y = 449_000.0, 2_418_000.0                                      # near Lạng Sơn city
    lon, lat = transformer(9215, 4326).transform(x, y)
    expected = (lon - 107.25) * math.sin(math.radians(lat))           # γ ≈ Δλ·sin φ on a TM projection
    assert meridian_convergence_deg(x, y) == pytest.approx(expected, abs=0.005)
    assert meridian_convergence_deg(x, y, "EPSG:9215") == meridian_convergence_deg(x, y)


def test_resettlement_areas_are_drawn_and_in_the_legend(snap, fake_store):
    import geopandas as gpd
    from shapely.geometry import box as square

    class WithAreas:
        """``fake_store`` plus one resettlement area inside project CCN_HT1's boundary."""

        def __getattr__(self, name):
            return getattr(fake_store, name)

        def resettlement_areas(self, project_id=None):
            inside = fake_store.projects().set_index("project_id").loc["CCN_HT1", "geometry"].representative_point()
            return gpd.GeoDataFrame({"area_id": ["K1"], "project_id": ["CCN_HT1"], "name": ["Khu $x$ <b>"]},
                                    geometry=[square(inside.x - 60, inside.y - 40, inside.x + 60, inside.y + 40)],
                                    crs=9215)

    opts = ExportOptions(project_id="CCN_HT1")
    with_areas = PdfReader(io.BytesIO(render_print_map(snap, WithAreas(), opts, "pdf"))).pages[0].extract_text()
    without = PdfReader(io.BytesIO(render_print_map(snap, fake_store, opts, "pdf"))).pages[0].extract_text()
    assert "Khu tái định cư" in with_areas and "Khu tái định cư" not in without
    assert "<b>" not in with_areas     # the area's name is not printed (no label): nothing to escape

"""Excel report: figures, layout for printing, formula injection, personal data, reproducibility."""
from __future__ import annotations

import dataclasses
import io
import zipfile

import openpyxl
import pytest

from domain.stages import STAGES
from exports.excel import export_xlsx
from exports.options import ExportOptions


def _load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _progress_rows(ws):
    """Rows of the progress table by STT ('1', '1.1', …, '' for the total), header rows 5–6."""
    header = [c.value for c in ws[6]]
    rows = {}
    for r in ws.iter_rows(min_row=7, values_only=True):
        if r[1] is None:
            break
        rows[(r[0] or "TOTAL")] = r
    return header, rows


def test_progress_sheet_holds_snapshot_figures(snap, fake_store):
    wb = _load(export_xlsx(snap, fake_store))
    ws = wb["Tiến độ"]
    _, rows = _progress_rows(ws)
    projects = snap.projects.reset_index(drop=True)
    for i, p in projects.iterrows():
        r = rows[str(i + 1)]
        assert r[1] == p["name"]
        assert r[2] == pytest.approx(p["area_to_recover_m2"] / 10_000)
        assert r[3] == pytest.approx(p["area_to_recover_m2"])
        assert r[5] == pytest.approx(p["area_handed_over_m2"])
        assert r[6] == pytest.approx(p["percent_handed_over"])
        for k, s in enumerate(STAGES):
            assert r[7 + k] == p[f"households_{s}"]
        assert r[15] == pytest.approx(p["amount_approved_vnd"])
        assert r[16] == pytest.approx(p["amount_paid_vnd"])
    # Commune rows under QL4B (3rd project) add up to the project: the fixture has no aggregate reports.
    ql4b = [v for k, v in rows.items() if k.startswith("3.")]
    assert {v[1].strip() for v in ql4b} == {"Phường Kỳ Lừa", "Xã Gia Cát"}
    assert sum(v[3] for v in ql4b) == pytest.approx(rows["3"][3])
    total = rows["TOTAL"]
    assert total[1] == "TỔNG CỘNG"
    assert total[3] == pytest.approx(snap.projects["area_to_recover_m2"].sum())
    assert total[6] == pytest.approx(100 * snap.projects["area_handed_over_m2"].sum()
                                     / snap.projects["area_to_recover_m2"].sum())


def test_milestone_status_and_obstacles_in_vietnamese(snap, fake_store):
    ws = _load(export_xlsx(snap, fake_store))["Tiến độ"]
    _, rows = _progress_rows(ws)
    ql4b = rows["3"]
    assert "Không đạt" in ql4b[17]  # M1 missed (project scope)
    assert "Chậm tiến độ" not in ql4b[17]  # M2 is scoped to Xã Gia Cát: on the commune row
    gia_cat = next(v for k, v in rows.items() if k.startswith("3.") and "Gia Cát" in v[1])
    assert "Chậm tiến độ" in gia_cat[17]
    # Obstacles: count open complaints among QL4B parcels not handed over, independently.
    p = snap.parcels[(snap.parcels.project_id == "QL4B") & (snap.parcels.stage != "handed_over")]
    n = int(p.complaint_open.sum())
    assert n > 0
    assert f"{n} thửa khiếu nại chưa giải quyết" in ql4b[19]
    assert "1 thửa phải cưỡng chế thu hồi" in ql4b[19]


def test_print_setup_and_frozen_header(snap, fake_store):
    data = export_xlsx(snap, fake_store, ExportOptions(paper="A4", orientation="landscape"))
    wb = _load(data)
    ws = wb["Tiến độ"]
    assert ws.freeze_panes == "C7"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    # fitToWidth absent = 1 (ECMA-376 default); fitToHeight 0 = as many pages tall as needed.
    assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$5:$6"
    assert "$A$1:$T$" in ws.print_area
    assert "m²" in [c.value for c in ws[6]]
    assert "(ha)" not in "".join(str(c.value) for c in ws[5] if c.value)  # units are in row 6
    a3 = _load(export_xlsx(snap, fake_store, ExportOptions(paper="A3", orientation="portrait")))["Thửa đất"]
    assert a3.page_setup.paperSize == 8 and a3.page_setup.orientation == "portrait"
    assert a3.freeze_panes == "A6" and a3.auto_filter.ref.startswith("A5:")


def test_parcel_sheet_one_row_per_parcel(snap, fake_store):
    ws = _load(export_xlsx(snap, fake_store))["Thửa đất"]
    header = [c.value for c in ws[5]]
    rows = list(ws.iter_rows(min_row=6, values_only=True))
    assert len(rows) == len(snap.parcels)
    area = header.index("Diện tích thu hồi (m²)")
    assert sum(r[area] for r in rows) == pytest.approx(snap.parcels.area_to_recover_m2.sum())
    chain = header.index("Lý trình")
    assert any(isinstance(r[chain], str) and r[chain].startswith("Km") for r in rows)


def test_formula_injection_stays_text(snap, fake_store):
    ms = snap.milestones.copy()
    ms.loc[0, "label"] = '=HYPERLINK("http://evil.example","bấm")'
    ms.loc[2, "label"] = "+1+1"
    ms.loc[3, "label"] = "@SUM(1)"
    parcels = snap.parcels.copy()
    parcels.loc[parcels.index[0], "commune_former"] = "-2+3"
    evil = dataclasses.replace(snap, milestones=ms, parcels=parcels)
    data = export_xlsx(evil, fake_store, ExportOptions(include_personal_data=True))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "<f>" not in sheets  # not one formula anywhere in the workbook
    wb = _load(data)
    found = {}
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
                    found[c.value] = c.quotePrefix
    for text in ('=HYPERLINK("http://evil.example","bấm")', "+1+1", "@SUM(1)", "-2+3",
                 '=HYPERLINK("http://evil.example","x")'):  # the last one is an owner_name in the fixture
        assert found.get(text) is True, text
    mile = wb["Mốc tiến độ"]
    assert any(c.value == "+1+1" and c.data_type == "s" for row in mile.iter_rows() for c in row)


def _all_text(data: bytes) -> str:
    wb = _load(data)
    return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)


def test_personal_data_left_out_by_default(snap, fake_store):
    text = _all_text(export_xlsx(snap, fake_store))
    for name in snap.parcels.owner_name:
        assert name not in text
    assert "Không kèm dữ liệu cá nhân" in text
    assert "CÓ DỮ LIỆU CÁ NHÂN" not in text


def test_personal_data_with_option_and_says_so(snap, fake_store):
    data = export_xlsx(snap, fake_store, ExportOptions(include_personal_data=True))
    text = _all_text(data)
    assert all(name in text for name in snap.parcels.owner_name)
    wb = _load(data)
    assert "CÓ DỮ LIỆU CÁ NHÂN" in wb["Tiến độ"]["A1"].value
    assert "CÓ DỮ LIỆU CÁ NHÂN" in wb["Thửa đất"]["A3"].value
    assert any("CÁ NHÂN" in str(c.value) for c in wb["Thửa đất"][5])


def test_reproducible_and_carries_data_version(snap, fake_store):
    a = export_xlsx(snap, fake_store)
    b = export_xlsx(snap, fake_store)
    assert a == b
    ws = _load(a)["Tiến độ"]
    assert "30/06/2024" in ws["A2"].value
    assert "lần cập nhật số 7" in ws["A2"].value
    assert "29/06/2024 08:15" in ws["A2"].value
    other = dataclasses.replace(snap, data_version={"last_upload_id": 8, "last_change_at": "2024-07-01T00:00:00Z"})
    assert "lần cập nhật số 8" in _load(export_xlsx(other, fake_store))["Tiến độ"]["A2"].value


def test_one_project_only(snap, fake_store):
    wb = _load(export_xlsx(snap, fake_store, ExportOptions(project_id="QL4B")))
    _, rows = _progress_rows(wb["Tiến độ"])
    assert [k for k in rows if "." not in k and k != "TOTAL"] == ["1"]
    assert rows["1"][1].startswith("Cải tạo, nâng cấp Quốc lộ 4B")
    parcels = list(wb["Thửa đất"].iter_rows(min_row=6, values_only=True))
    assert len(parcels) == int((snap.parcels.project_id == "QL4B").sum())
    with pytest.raises(ValueError, match="Không có dự án 'XYZ'"):
        export_xlsx(snap, fake_store, ExportOptions(project_id="XYZ"))

"""Filters and display tables on the synthetic snapshot (counts follow from synthetic.py's construction)."""
import io
from datetime import date

import pandas as pd
import pytest

from dashboard.tables import (
    milestone_table,
    parcel_csv,
    parcel_table,
    parcel_xlsx,
    project_card,
)
from milestones.filters import Filters, apply_filters, as_filters
from tests.dashboard import synthetic
from vocab.headers import PARCEL_HEADERS_VI, PARCEL_LIST_COLUMNS


@pytest.fixture
def snap(fake_store):
    return synthetic.compute_snapshot(fake_store, date(2024, 6, 30))


def test_filters_are_hashable_and_normalised():
    a = Filters(project_ids=("QL4B", "CT_HNCL"), stages=["paid"])
    b = as_filters({"project_ids": ["CT_HNCL", "QL4B"], "stages": ("paid",)})
    assert a == b and hash(a) == hash(b)
    assert Filters().is_empty and not a.is_empty
    with pytest.raises(ValueError, match="Giai đoạn không hợp lệ"):
        Filters(stages=("cleared",))
    with pytest.raises(TypeError):
        as_filters({"project": "RD"})


def test_commune_filter_matches_new_and_former_names(snap):
    # RD parcels at chainage < 3 000 m (i = 0..5) and all 6 AR parcels are in Phường Kỳ Lừa / former Xã Hợp Thành.
    assert len(apply_filters(snap.parcels, Filters(communes=("Phường Kỳ Lừa",)))) == 12
    assert len(apply_filters(snap.parcels, Filters(communes=("Xã Hợp Thành",)))) == 12
    assert len(apply_filters(snap.parcels, Filters(communes=("Xã Thụy Hùng",)))) == 6


def test_stage_project_and_risk_filters(snap):
    # At 30/06/2024 (day 181): stage rank of parcel i = min(6, 1 + (181 - 10 i) // 20) -> RD i<=8 handed over.
    handed = apply_filters(snap.parcels, Filters(project_ids=("RD",), stages=("handed_over",)))
    assert sorted(handed["parcel_number"]) == list(range(100, 109))
    risky = apply_filters(snap.parcels, Filters(at_risk_only=True))
    assert sorted(risky["parcel_number"]) == [103, 203]


def test_parcel_table_headers_values_and_no_personal_data(snap):
    table = parcel_table(snap.parcels, {"RD": "Đường RD", "AR": "CCN AR"})
    assert list(table.columns) == [PARCEL_HEADERS_VI[c] for c in PARCEL_LIST_COLUMNS]
    assert "owner_name" not in table.columns and not table.isin(["Hộ 000"]).any().any()
    first = table.iloc[0]  # sorted in the order of the names given (RD, AR), then former commune, sheet, number
    assert first["Dự án"] == "Đường RD" and first["Thửa đất số"] == "100"
    assert table["Dự án"].tolist() == ["Đường RD"] * 12 + ["CCN AR"] * 6
    assert parcel_table(snap.parcels).iloc[0]["Dự án"] == "AR"       # no names: by id
    assert table.iloc[-1]["Diện tích thu hồi (m²)"] == "10.000,0"
    rd = first
    assert rd["Lý trình"] == "Km0+250"
    assert rd["Giai đoạn"] == "Bàn giao mặt bằng"
    assert rd["Ngày của giai đoạn"] == "10/04/2024"  # 01/01/2024 + 5 x 20 days


def test_parcel_csv_is_vietnamese_excel_csv(snap):
    data = parcel_csv(snap.parcels, {"RD": "Đường RD", "AR": "CCN AR"})
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(frame.columns) == [PARCEL_HEADERS_VI[c] for c in PARCEL_LIST_COLUMNS]
    assert len(frame) == 18
    assert frame["Diện tích thu hồi (m²)"].sum() == pytest.approx(12 * 1050 + 6 * 10_000)
    first = frame.iloc[0]  # same first row as the screen table
    assert first["Dự án"] == "Đường RD" and first["Thửa đất số"] == 100
    assert first["Ngày của giai đoạn"] == "10/04/2024" and first["Giai đoạn"] == "Bàn giao mặt bằng"
    # The same rows as the screen table, cell for cell once both are text.
    screen = parcel_table(snap.parcels, {"RD": "Đường RD", "AR": "CCN AR"})
    assert frame["Mã thửa"].tolist() == screen["Mã thửa"].tolist()


def test_parcel_xlsx_has_the_csv_rows(snap):
    import openpyxl

    names = {"RD": "Đường RD", "AR": "CCN AR"}
    frame = pd.read_csv(io.BytesIO(parcel_csv(snap.parcels, names)), sep=";", decimal=",", encoding="utf-8-sig",
                        keep_default_na=False)
    ws = openpyxl.load_workbook(io.BytesIO(parcel_xlsx(snap.parcels, names))).active
    rows = list(ws.iter_rows(values_only=True))
    assert ws.title == "Thửa đất" and list(rows[0]) == list(frame.columns)
    assert len(rows) - 1 == len(frame) == 18
    area = list(frame.columns).index("Diện tích thu hồi (m²)")
    assert [r[area] for r in rows[1:]] == pytest.approx(frame["Diện tích thu hồi (m²)"].tolist())
    day = list(frame.columns).index("Ngày của giai đoạn")
    assert rows[1][day].strftime("%d/%m/%Y") == frame.iloc[0]["Ngày của giai đoạn"]
    ids = list(frame.columns).index("Mã thửa")
    assert [r[ids] for r in rows[1:]] == frame["Mã thửa"].tolist()


def test_milestone_table_statuses_in_vietnamese(snap):
    table = milestone_table(snap.milestones, {"RD": "Đường RD"})
    assert set(table["Trạng thái"]) <= {"Đạt", "Không đạt", "Đúng tiến độ", "Có nguy cơ chậm", "Chậm tiến độ"}
    assert table.loc[table["Dự án"] == "Đường RD", "Trạng thái"].item() == "Đạt"   # 75 % >= 70 % at the due date
    assert table["Hạn"].tolist() == ["30/06/2024", "30/06/2024"]


def test_project_card_formats_hectares(snap):
    rd = snap.projects.set_index("project_id").loc["RD"]
    card = project_card(rd)
    assert card["to_recover"] == "1,26 ha"          # 12 x 1 050 m²
    assert card["handed_over"] == "0,94 ha"         # 9 x 1 050 m²
    assert card["percent"] == "75,0%"
    assert card["progress"] == pytest.approx(0.75)


def test_milestone_badges_latest_and_next(snap):
    from dashboard.tables import milestone_badges

    assert milestone_badges(snap.milestones, "RD", date(2024, 6, 30)) == [
        ("Hạn 30/06/2024 · 70% diện tích: Đạt ngày 29/06/2024", "met")]   # 9th parcel: 01/01 + 80 + 100 days
    early = synthetic.compute_snapshot(synthetic.FakeStore(), date(2024, 3, 31))
    assert [code for _, code in milestone_badges(early.milestones, "RD", date(2024, 3, 31))] == ["behind"]
    assert milestone_badges(snap.milestones, "NOPE", date(2024, 6, 30)) == []


def test_badges_list_every_milestone_met_ones_too(snap):
    from dashboard.tables import milestone_badges

    later = snap.milestones.assign(milestone_id="RD-2", due_date=date(2024, 12, 31), target_percent=100.0,
                                   status="on_track", met_on=None)
    both = pd.concat([later, snap.milestones], ignore_index=True)      # out of date order on purpose
    badges = milestone_badges(both[both["project_id"] == "RD"], "RD")
    assert [code for _, code in badges] == ["met", "on_track"]
    assert badges[1][0] == "Hạn 31/12/2024 · 100% diện tích: Đúng tiến độ"


def test_milestone_table_reached_late_and_forecast_range(snap):
    m = snap.milestones.copy()
    m.loc[0, ["met_on", "reached_late", "status"]] = [date(2024, 7, 3), True, "met"]
    m.loc[1, ["met_on", "status", "forecast_earliest", "forecast_latest"]] = [None, "at_risk", date(2024, 8, 1),
                                                                               date(2024, 9, 15)]
    table = milestone_table(m, {"RD": "Đường RD", "AR": "CCN AR"}).set_index("Dự án")
    assert table.at["Đường RD", "Trạng thái"] == "Đạt muộn ngày 03/07/2024"
    assert table.at["Đường RD", "Tốc độ cần (%/ngày)"] == "—"
    assert table.at["CCN AR", "Dự báo / ngày đạt"] == "01/08 – 15/09/2024"
    assert table.at["CCN AR", "Tốc độ cần (ha/tuần)"] == "0,05"


def test_projects_in_communes_sums_the_chosen_communes(snap):
    from dashboard.tables import projects_in_communes

    # Xã Đồng Đăng: RD parcels at chainage >= 3 000 m (i = 6..11); at 30/06 i = 6, 7, 8 are handed over.
    rows = projects_in_communes(snap.projects, snap.parcels, ("Xã Đồng Đăng",)).set_index("project_id")
    assert list(rows.index) == ["RD"]
    assert rows.at["RD", "area_to_recover_m2"] == pytest.approx(6 * 1050)
    assert rows.at["RD", "percent_handed_over"] == pytest.approx(50.0)
    assert rows.at["RD", "households_total"] == 6
    assert projects_in_communes(snap.projects, snap.parcels, ()) is snap.projects
    # One household holding RD parcels i = 8 (handed over) and i = 9 (paid on 30/06): one household, at "paid".
    shared = snap.parcels.copy()
    shared.loc[shared["parcel_number"] == 109, "household_id"] = shared.loc[shared["parcel_number"] == 108,
                                                                            "household_id"].item()
    rows = projects_in_communes(snap.projects, shared, ("Xã Đồng Đăng",)).set_index("project_id")
    assert rows.at["RD", "households_total"] == 5
    assert rows.at["RD", "households_handed_over"] == 2 and rows.at["RD", "households_paid"] == 2


def test_blocking_list_and_summary_in_rank_order(fake_store):
    from dashboard.tables import blocking_list, blocking_summary_table

    early = synthetic.compute_snapshot(fake_store, date(2024, 3, 31))
    # RD at 31/03: nothing handed over; shortfall 70 % x 12 x 1 050 m² = 8 820 m² -> 9 parcels (8 x 1 050 < 8 820).
    table = blocking_list(early.blockers, "RD-1")
    assert table["Thứ tự"].tolist() == [str(k) for k in range(1, 10)]
    assert table["Thửa"].iloc[0].endswith("/100")          # parcel 0: the most advanced (notice on 01/01)
    assert table["Diện tích cộng dồn (m²)"].iloc[-1] == "9.450,0"
    summary = blocking_summary_table(early.blocking_summary, early.milestones, {"RD": "Đường RD"})
    assert summary.set_index("milestone_id").at["RD-1", "Còn thiếu"] == "8.820 m² (0,88 ha)"


def test_filters_note_says_what_applies():
    from dashboard.tables import filters_note

    assert filters_note(Filters()) == ""
    note = filters_note(Filters(communes=("Xã Đồng Đăng",), stages=("paid",)))
    assert "Xã Đồng Đăng" in note and "toàn dự án" in note and "Bản đồ" in note

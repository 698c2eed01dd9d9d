"""Validation rules, one by one, on the corpus file written row by row with one mistake each and on small tables."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ingest.read import read_table
from ingest.validate import EVENT_COLUMNS, commune_key, validate
from tests.ingest.fixture_data import CORPUS, TODAY, make_ledger, make_parcels, make_projects

# Row → (column, words in the message), from the comments of make_corpus.BAD_ROWS.
EXPECTED_BAD = {
    2: ("Số thửa", "không có thửa tờ 12 thửa 8"),
    3: ("Xã", "không có xã/phường"),
    4: ("Dự án", "không có dự án"),
    5: ("Giai đoạn", "không hợp lệ"),
    6: ("Giai đoạn", "lùi giai đoạn"),
    7: ("Ngày", "tương lai"),
    8: ("Ngày", "trước ngày bắt đầu"),
    9: ("Diện tích (m²)", "lớn hơn diện tích thu hồi"),
    10: ("Số tiền (đồng)", "số âm"),
    11: ("Diện tích (m²)", "cần một số"),
    13: ("", "trùng với dòng 12"),
    14: ("Từ lý trình", "ngoài đoạn tuyến"),
    15: ("Đến lý trình", "phải lớn hơn"),
    16: ("Số thửa", "có 2 thửa"),
    17: ("Diện tích (m²)", "dòng tổng hợp cần"),
    18: ("Ngày", "ngày không tồn tại"),
    19: ("Diện tích (m²)", "lũy kế giảm"),
    20: ("Dự án", "không theo tuyến"),
}


@pytest.fixture(scope="module")
def bad_report():
    return validate(read_table(CORPUS / "bad_rows_every_error.csv"), make_parcels(), make_projects(),
                    make_ledger(), TODAY)


def test_every_error_is_reported_on_its_row_and_column(bad_report):
    got = {(p.row, p.column) for p in bad_report.problems}
    assert got == {(row, col) for row, (col, _) in EXPECTED_BAD.items()}
    for p in bad_report.problems:
        assert EXPECTED_BAD[p.row][1] in p.message_vi, str(p)
    assert bad_report.invalid_rows == sorted(EXPECTED_BAD)
    assert list(bad_report.events.index) == [12]  # the only valid row
    assert bad_report.counts() == {"rows_read": 19, "rows_valid": 1, "rows_invalid": 18}


def test_unknown_parcel_suggests_nearest_keys(bad_report):
    message = next(p.message_vi for p in bad_report.problems if p.row == 2)
    assert "gần nhất" in message and "tờ 12 thửa 7" in message


def test_unknown_commune_suggests_a_close_name(bad_report):
    message = next(p.message_vi for p in bad_report.problems if p.row == 3)
    assert "Xã Hợp Thành" in message


def test_ambiguous_parcel_lists_candidates(bad_report):
    message = next(p.message_vi for p in bad_report.problems if p.row == 16)
    assert "QL4B/06106/12/5" in message and "QL4B/06112/12/5" in message


def _table(rows: list[dict], first_row: int = 2) -> pd.DataFrame:
    frame = pd.DataFrame(rows, dtype=object)
    frame.index = pd.Index(range(first_row, first_row + len(rows)), name="row")
    return frame


def _validate(rows, ledger=None):
    return validate(_table(rows), make_parcels(), make_projects(), ledger, TODAY)


def test_commune_by_former_or_2025_name_with_or_without_prefix():
    base = {"map_sheet": "3", "parcel_number": "16", "event": "Kiểm đếm", "event_date": "01/03/2024"}
    for name in ["Xã Gia Cát", "gia cat", "GIA CÁT", "Xa Gia Cat"]:
        report = _validate([{**base, "commune": name}])
        assert list(report.events["parcel_id"]) == ["QL4B/06136/3/16"], name
    # 2025 unit name: Đồng Đăng holds the former Thụy Hùng sheets
    report = _validate([{"commune": "Xã Đồng Đăng", "map_sheet": 8, "parcel_number": 45, "event": "notice",
                         "event_date": "01/03/2024"}])
    assert list(report.events["parcel_id"]) == ["CT_HNCL/06115/8/45"]
    assert report.events["project_id"].iloc[0] == "CT_HNCL"  # inferred from the parcel


def test_former_commune_name_disambiguates_inside_a_merged_unit():
    base = {"map_sheet": "12", "parcel_number": "5", "event": "Kiểm đếm", "event_date": "01/03/2024"}
    assert list(_validate([{**base, "commune": "Thị trấn Cao Lộc"}]).events["parcel_id"]) == ["QL4B/06106/12/5"]
    assert list(_validate([{**base, "commune": "Hợp Thành"}]).events["parcel_id"]) == ["QL4B/06112/12/5"]


def test_project_given_must_match_the_parcel():
    report = _validate([{"project": "CT_HNCL", "commune": "Gia Cát", "map_sheet": 3, "parcel_number": 16,
                         "event": "Kiểm đếm", "event_date": "01/03/2024"}])
    assert report.rows_valid == 0 and "thuộc dự án CT_HNCL" in report.problems[0].message_vi


def test_project_by_name_or_short_name():
    for text in ["Cao tốc Hữu Nghị – Chi Lăng", "cao toc huu nghi chi lang", "ct_hncl"]:
        report = _validate([{"project": text, "chainage_from": "Km1+000", "chainage_to": "Km2+000",
                             "event": "Bàn giao mặt bằng", "event_date": "01/03/2024"}])
        assert list(report.events["project_id"]) == ["CT_HNCL"], text


def test_backwards_within_the_file_and_correction_mark():
    rows = [
        {"commune": "Hợp Thành", "map_sheet": 12, "parcel_number": 6, "event": "Chi trả", "event_date": "01/04/2024"},
        {"commune": "Hợp Thành", "map_sheet": 12, "parcel_number": 6, "event": "Kiểm đếm", "event_date": "02/04/2024"},
        {"commune": "Hợp Thành", "map_sheet": 12, "parcel_number": 6, "event": "Kiểm đếm", "event_date": "03/04/2024",
         "is_correction": "x"},
        # an earlier-dated lower stage is history, not going backwards
        {"commune": "Hợp Thành", "map_sheet": 12, "parcel_number": 6, "event": "Thông báo", "event_date": "01/02/2024"},
    ]
    report = _validate(rows)
    assert [(p.row, p.column) for p in report.problems] == [(3, "Giai đoạn")]
    assert list(report.events.index) == [2, 4, 5]
    assert list(report.events["is_correction"]) == [False, True, False]


def test_flags_never_count_as_going_backwards():
    report = _validate([{"commune": "Gia Cát", "map_sheet": 3, "parcel_number": 15, "event": "Khiếu nại",
                         "event_date": "01/06/2024"}], ledger=make_ledger())
    assert report.ok


def test_backwards_on_a_chainage_range():
    rows = [
        {"project": "QL4B", "chainage_from": "Km5+000", "chainage_to": "Km5+500", "event": "Bàn giao mặt bằng",
         "event_date": "01/04/2024"},
        {"project": "QL4B", "chainage_from": "Km5+000", "chainage_to": "Km5+500", "event": "Chi trả",
         "event_date": "05/04/2024"},
    ]
    report = _validate(rows)
    assert [(p.row, p.column) for p in report.problems] == [(3, "Giai đoạn")]


def test_aggregate_by_commune_and_units():
    rows = [{"project": "CCN_HT1", "commune": "hop thanh", "event": "Bàn giao mặt bằng", "event_date": "30/04/2024",
             "area_ha": "12,5", "amount_million_vnd": "1.500"}]
    report = _validate(rows)
    ev = report.events.iloc[0]
    assert (ev["kind"], ev["commune"], ev["area_m2"], ev["amount_vnd"]) == ("aggregate", "Xã Hợp Thành", 125_000.0,
                                                                              1_500_000_000.0)


def test_today_is_allowed_and_tomorrow_is_not():
    base = {"commune": "Gia Cát", "map_sheet": 3, "parcel_number": 16, "event": "Kiểm đếm"}
    assert _validate([{**base, "event_date": TODAY.strftime("%d/%m/%Y")}]).ok
    assert not _validate([{**base, "event_date": "02/07/2024"}]).ok


def test_missing_required_columns_are_reported_on_every_row():
    report = _validate([{"commune": "Gia Cát", "map_sheet": 3, "parcel_number": 16}])
    assert report.rows_valid == 0 and "thiếu cột bắt buộc" in report.problems[0].message_vi


def test_area_tolerance_and_negative_households():
    base = {"commune": "Hợp Thành", "map_sheet": 12, "parcel_number": 5, "event": "Kiểm đếm", "event_date": "01/03/2024"}
    assert _validate([{**base, "area_m2": "350,4"}]).ok  # 350 m² + 0.5 m² rounding
    assert not _validate([{**base, "area_m2": "351"}]).ok
    report = _validate([{**base, "households": "-1"}])
    assert report.problems[0].column == "Số hộ"


def test_output_has_the_events_columns_and_types():
    report = validate(read_table(CORPUS / "good_chainage_aggregate_correction.csv"), make_parcels(),
                      make_projects(), make_ledger(), TODAY)
    assert report.ok
    ev = report.events
    assert tuple(ev.columns) == EVENT_COLUMNS
    assert list(ev["kind"]) == ["chainage_range", "chainage_range", "aggregate", "aggregate", "parcel"]
    assert ev["households"].iloc[0] == 3
    assert ev["area_m2"].iloc[2] == 125_000.5
    assert ev["is_correction"].iloc[4]  # Niêm yết after Chi trả in the ledger, marked as correction
    assert all(isinstance(d, date) for d in ev["event_date"])


def test_validate_is_pure():
    parcels, projects, ledger = make_parcels(), make_projects(), make_ledger()
    copies = parcels.copy(), projects.copy(), ledger.copy()
    table = read_table(CORPUS / "bad_rows_every_error.csv")
    before = table.data.copy()
    first = validate(table, parcels, projects, ledger, TODAY)
    second = validate(table, parcels, projects, ledger, TODAY)
    assert first.problems == second.problems and first.events.equals(second.events)
    for a, b in zip((parcels, projects, ledger), copies):
        pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(table.data, before)


def test_commune_key():
    assert commune_key("Xã Hợp Thành") == commune_key("hop thanh") == commune_key("HỢP THÀNH") == "hopthanh"
    assert commune_key("Thị trấn Cao Lộc") == commune_key("TT Cao Lộc") == "caoloc"
    assert commune_key("Phường Kỳ Lừa") == "kylua"


def test_preview_frame_marks_invalid_rows_and_keeps_text_inert():
    from ingest.preview import INVALID_LABEL, PROBLEMS_COLUMN, STATUS_COLUMN, VALID_LABEL, preview_frame

    table = read_table(CORPUS / "bad_rows_every_error.csv")
    report = validate(table, make_parcels(), make_projects(), make_ledger(), TODAY)
    frame = preview_frame(table, report)
    assert list(frame.columns[:3]) == ["Dòng", STATUS_COLUMN, PROBLEMS_COLUMN]
    assert list(frame["Dòng"]) == list(range(2, 21))
    status = dict(zip(frame["Dòng"], frame[STATUS_COLUMN]))
    assert status[12] == VALID_LABEL and status[13] == INVALID_LABEL
    assert "trùng với dòng 12" in frame.set_index("Dòng").loc[13, PROBLEMS_COLUMN]
    only = preview_frame(table, report, only_invalid=True)
    assert list(only["Dòng"]) == sorted(EXPECTED_BAD)
    assert all(isinstance(v, str) for v in frame.drop(columns="Dòng").to_numpy().ravel())


def test_same_bare_name_for_a_former_town_and_a_2025_commune():
    # Real Cao Lộc case: "Thị trấn Cao Lộc" (former, now in phường Kỳ Lừa) and "Xã Cao Lộc" (2025 unit
    # merging former xã Lộc Yên …): the unit word decides; without it both are searched together.
    parcels = make_parcels()
    parcels.loc[len(parcels)] = {**parcels.iloc[0].to_dict(), "parcel_id": "QL4B/06190/12/5", "commune": "Xã Cao Lộc",
                                 "commune_former": "Xã Lộc Yên", "map_sheet": 12, "parcel_number": 5}

    def parcel_of(commune):
        table = _table([{"commune": commune, "map_sheet": 12, "parcel_number": 5, "event": "Kiểm đếm",
                         "event_date": "01/03/2024"}])
        return validate(table, parcels, make_projects(), None, TODAY)

    assert list(parcel_of("Thị trấn Cao Lộc").events["parcel_id"]) == ["QL4B/06106/12/5"]
    assert list(parcel_of("TT Cao Lộc").events["parcel_id"]) == ["QL4B/06106/12/5"]
    assert list(parcel_of("Xã Cao Lộc").events["parcel_id"]) == ["QL4B/06190/12/5"]
    assert list(parcel_of("Lộc Yên").events["parcel_id"]) == ["QL4B/06190/12/5"]
    ambiguous = parcel_of("cao loc")
    assert ambiguous.rows_valid == 0
    assert "QL4B/06106/12/5" in ambiguous.problems[0].message_vi and "QL4B/06190/12/5" in ambiguous.problems[0].message_vi

    aggregate = validate(_table([{"project": "QL4B", "commune": "Cao Lộc", "event": "Bàn giao mặt bằng",
                                  "event_date": "01/03/2024", "area_m2": "100"}]), parcels, make_projects(), None, TODAY)
    assert aggregate.problems[0].column == "Xã" and "trùng nhau" in aggregate.problems[0].message_vi


def test_messages_write_areas_and_dates_the_vietnamese_way():
    # 1.234,5 m² then 1.000 m² a day later: the cumulative area goes down (dd/mm/yyyy, "." thousands, "," decimals)
    base = {"project": "CCN_HT1", "commune": "hop thanh", "event": "Bàn giao mặt bằng"}
    report = _validate([{**base, "event_date": "01/03/2024", "area_m2": "1.234,5"},
                        {**base, "event_date": "02/03/2024", "area_m2": "1000"}])
    [problem] = report.problems
    assert "báo cáo ngày 01/03/2024 (1.234,5 m²)" in problem.message_vi and problem.value == "1.000"
    # parcel tờ 12 thửa 5 has 350 m² to recover (see test_area_tolerance_and_negative_households)
    parcel = {"commune": "Hợp Thành", "map_sheet": 12, "parcel_number": 5, "event": "Kiểm đếm",
              "event_date": "01/03/2024", "area_m2": "1.351,5"}
    [problem] = _validate([parcel]).problems
    assert problem.message_vi == "lớn hơn diện tích thu hồi của thửa (350 m²)" and problem.value == "1.351,5"


def test_unknown_parcel_suggestions_stop_after_the_budget(monkeypatch):
    import importlib

    # the module, not the function that ingest/__init__.py exports under the same name
    monkeypatch.setattr(importlib.import_module("ingest.validate"), "MAX_SUGGESTED_ROWS", 1)
    row = {"commune": "Hợp Thành", "map_sheet": 12, "parcel_number": 8, "event": "Kiểm đếm", "event_date": "01/03/2024"}
    first, second = _validate([row, {**row, "event_date": "02/03/2024"}]).problems
    assert "gần nhất" in first.message_vi and "gần nhất" not in second.message_vi


def test_an_ambiguous_number_is_reported_unless_the_file_decides_it():
    base = {"project": "CCN_HT1", "commune": "hop thanh", "event": "Bàn giao mặt bằng"}
    alone = _validate([{**base, "event_date": "01/03/2024", "area_m2": "450.800"}])
    [problem] = alone.problems
    assert problem.column == "Diện tích (m²)" and problem.value == "450.800"
    assert "450.800" in problem.message_vi and alone.events.empty
    decided = _validate([{**base, "event_date": "01/03/2024", "area_m2": "1.234,5"},
                         {**base, "event_date": "02/03/2024", "area_m2": "450.800"}])
    assert not decided.problems
    assert decided.events["area_m2"].tolist() == [1234.5, 450_800.0]
    mixed = _validate([{**base, "event_date": "01/03/2024", "area_m2": "1.234,5"},
                       {**base, "event_date": "02/03/2024", "area_m2": "2,345.5"},
                       {**base, "event_date": "03/03/2024", "area_m2": "450.800"}])
    assert [(p.row, p.column) for p in mixed.problems] == [(4, "Diện tích (m²)")]


def test_an_amount_in_dong_is_a_whole_number_so_1000_dong_is_not_ambiguous():
    base = {"commune": "Hợp Thành", "map_sheet": 12, "parcel_number": 5, "event": "Chi trả", "event_date": "01/03/2024"}
    report = _validate([{**base, "amount_vnd": "1.000"}])
    assert not report.problems and report.events["amount_vnd"].tolist() == [1000.0]
    area = _validate([{**base, "event": "Kiểm đếm", "area_m2": "1.000"}])  # an area may have decimals: reported
    assert [p.column for p in area.problems] == ["Diện tích (m²)"]

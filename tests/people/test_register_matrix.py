"""The household × step matrix reader: a generated 420-row file and bad files."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from ingest.parcel_tokens import parcel_sort_key, parse_parcel_cell
from ingest.read import IngestError
from ingest.register_matrix import read_register_matrix
from ingest.step_stages import map_step_name, propose_step_mapping
from parsing.limits import InputLimitError, InputLimits
from tests.people.matrix_builder import HEADER, STAGE_ORDER, STEPS, build_matrix, workbook_bytes

TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def generated():
    data, expected = build_matrix(420)
    return read_register_matrix(data, today=TODAY), expected


def test_counts_households_parcels_and_area(generated):
    report, expected = generated
    assert report.problems == []
    assert report.rows == expected.rows == 420
    assert report.households == len(expected.households)
    assert report.parcel_tokens == len(expected.parcel_tokens)
    assert report.parcels_distinct == len(set(expected.parcel_tokens))
    assert report.area_m2_total == pytest.approx(expected.area_m2)
    assert report.total_row is not None and report.header_row == 4


def test_the_proposed_mapping_follows_the_step_names(generated):
    report, _ = generated
    assert report.mapping == {code: target for code, _, target in STEPS}
    assert report.unmapped_columns == ["C003", "C006"]


def test_row_stages_and_dates_and_the_enforcement_branch_never_hands_over(generated):
    report, expected = generated
    table = report.table
    assert table["stage"].to_dict() == expected.row_stage
    for row, day in expected.row_stage_date.items():
        got = table.at[row, "stage_date"]
        assert pd.isna(got) if day is None else got.date() == day
    enforced = table[table["enforced"]]
    assert set(enforced.index) == expected.enforced_rows
    assert (enforced["stage"] != "handed_over").all()


def test_household_and_parcel_stages_are_the_least_advanced_row(generated):
    report, expected = generated
    households = report.household_stages.set_index("household_code")
    for code, ranks in expected.households.items():
        assert households.at[code, "stage"] == STAGE_ORDER[min(ranks)]
    want = {s: sum(STAGE_ORDER[min(r)] == s for r in expected.households.values()) for s in STAGE_ORDER}
    assert report.counts_per_stage == want
    parcels = report.parcel_stages
    assert list(parcels["parcel_key"]) == sorted(set(expected.parcel_tokens), key=parcel_sort_key)
    assert {"100", "2100", "102A", "103B-2"} <= set(parcels["parcel_key"])


def test_the_steps_sheet_is_the_procedure_plan(generated):
    report, _ = generated
    plan = report.procedure.set_index("code")
    assert list(plan.index) == [code for code, _, _ in STEPS]
    assert plan.at["C004", "lead_body"] == "TTPTQĐ" and plan.at["C004", "min_days"] == 13
    assert plan.at["C002", "planned_date"] == date(2025, 3, 16)


def test_without_a_steps_sheet_every_step_is_unmapped_and_a_saved_profile_can_map_them():
    data, _ = build_matrix(30, steps_sheet=False)
    bare = read_register_matrix(data, today=TODAY)
    assert bare.unmapped_columns == [code for code, _, _ in STEPS] and bare.notes
    profile = {code: target for code, _, target in STEPS}
    mapped = read_register_matrix(data, today=TODAY, mapping=profile)
    assert mapped.mapping == profile and mapped.counts_per_stage["handed_over"] > 0
    with pytest.raises(IngestError, match="C001"):
        read_register_matrix(data, today=TODAY, mapping={"C001": "finished"})


def _rows(*data_rows, total=None):
    rows = [["BẢNG THEO DÕI"], [], HEADER[:7] + ["C001", "C002", "Lý do"], *data_rows]
    return rows + ([total] if total else [])


STEP_SHEET = [["Mã bước", "Tên bước"], ["C001", "Thông báo thu hồi đất"], ["C002", "Kiểm đếm"]]


def test_bad_cells_give_row_level_vietnamese_problems():
    data = workbook_bytes(_rows(
        [1, "H1", "LUC", "A", "Thôn 1", "12+13", 100, 1, "xong", None],
        [2, "H2", "LUC", "B", "Thôn 1", "abc", 100, "05/01/2027", 0, None],
        [3, None, "LUC", "C", "Thôn 1", "14", "nhiều", 1, 1, None],
        total=["Tổng", None, None, None, None, None, 999, 3, 1, None]), steps=STEP_SHEET)
    report = read_register_matrix(data, today=TODAY)
    by_place = {(p.row, p.column): p.message_vi for p in report.problems}
    assert "cần 1 (đã thực hiện), 0" in by_place[(4, "C002")]
    assert "số thửa «abc» không hợp lệ" in by_place[(5, "Thửa")]
    assert "ở sau hôm nay" in by_place[(5, "C001")]
    assert "thiếu mã hộ" in by_place[(6, "Mã hộ")]
    assert "cần diện tích bằng số m²" in by_place[(6, "Diện tích (m2)")]
    assert not any(p.row == 7 for p in report.problems)  # columns with bad cells are not checked against totals


def test_the_total_row_is_checked_against_the_sums():
    rows = [[1, "H1", "LUC", "A", "Thôn 1", "12+13", 100, 1, 1, None],
            [2, "H2", "LUC", "B", "Thôn 1", "14", "100,5", 1, 0, None]]
    good = read_register_matrix(workbook_bytes(_rows(*rows, total=["Cộng", None, None, None, None, None, 200.5, 2, 1])),
                                today=TODAY)
    assert good.problems == [] and good.total_row == 6 and good.rows == 2
    bad = read_register_matrix(workbook_bytes(_rows(*rows, total=["Tổng cộng", None, None, None, None, None, 999, 2, 2])),
                               today=TODAY)
    by_place = {(p.row, p.column): p.message_vi for p in bad.problems}
    assert "dòng tổng ghi 999 nhưng cộng các dòng được 200,50" in by_place[(6, "Diện tích (m2)")]
    assert "dòng tổng ghi 2 nhưng cộng các dòng được 1" in by_place[(6, "C002")]
    assert (6, "C001") not in by_place


def test_a_file_without_the_header_is_refused():
    with pytest.raises(IngestError, match="Mã hộ"):
        read_register_matrix(workbook_bytes([["STT", "Họ tên", "Ghi chú"], [1, "A", ""]]), today=TODAY)


def test_the_workbook_is_checked_against_the_input_limits_first():
    data, _ = build_matrix(20)
    with pytest.raises(InputLimitError):
        read_register_matrix(data, today=TODAY, limits=InputLimits(xlsx_cells=50))


@pytest.mark.parametrize("cell, tokens", [
    ("17+175", ["17", "175"]), ("500 + 602", ["500", "602"]), ("12\n13", ["12", "13"]), (17.0, ["17"]),
    ("263A", ["263A"]), ("635b", ["635B"]), ("389b-2", ["389B-2"]), (None, []), ("12, 13; 14", ["12", "13", "14"]),
])
def test_parcel_cells(cell, tokens):
    assert parse_parcel_cell(cell) == tokens


@pytest.mark.parametrize("bad", ["abc", "0", "12/3", 2.5, -4])
def test_bad_parcel_cells(bad):
    with pytest.raises(ValueError, match="không hợp lệ"):
        parse_parcel_cell(bad)


def test_parcel_keys_sort_numerically():
    assert sorted(["263B", "10", "9", "263A", "263", "389B-2", "389B-10"], key=parcel_sort_key) == [
        "9", "10", "263", "263A", "263B", "389B-2", "389B-10"]


@pytest.mark.parametrize("name, target", [
    ("Thông báo thu hồi đất", "notice"), ("Kiểm đếm đất đai, tài sản", "inventory"),
    ("Niêm yết công khai phương án", "plan_posted"), ("Công khai dự thảo phương án", "plan_posted"),
    ("Quyết định phê duyệt phương án BT, HT&TĐC", "approved"), ("Phiếu chi", "paid"),
    ("Biên bản nhận tiền", "paid"), ("Biên bản bàn giao mặt bằng", "handed_over"),
    ("Quyết định kiểm đếm bắt buộc", "flag:compulsory_inventory"),
    ("Cưỡng chế thu hồi đất, biên bản bàn giao mặt bằng", "flag:enforced"),
    ("Mời nhận tiền lần 1", None), ("Họp dân", None),
])
def test_step_names_map_to_stages(name, target):
    assert map_step_name(name) == target
    assert propose_step_mapping({"C1": name}) == {"C1": target}


def test_rows_keep_their_excel_numbers_when_the_sheet_starts_lower():
    wb = openpyxl.Workbook()
    ws = wb.active
    for col, header in enumerate(HEADER[:7] + ["C001"], start=1):
        ws.cell(row=6, column=col, value=header)
    for col, value in enumerate([1, "H1", "LUC", "A", "Thôn 1", "12", 100, "xong"], start=1):
        ws.cell(row=7, column=col, value=value)
    buffer = io.BytesIO()
    wb.save(buffer)
    report = read_register_matrix(buffer.getvalue(), today=TODAY)
    assert report.header_row == 6
    assert [(p.row, p.column) for p in report.problems] == [(7, "C001")]

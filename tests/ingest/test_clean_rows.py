"""``validate`` (clean parcel rows checked column by column, :mod:`ingest.clean_rows`) equals the row-by-row
reference ``validate_row_by_row`` on generated files: the same events (values, dtypes, index), the same
problems (rows, columns, Vietnamese messages, values, order) and the same notes.

Rows are drawn from small pools of cells, valid and invalid, so that files mix clean rows with every kind
of bad one (unknown, ambiguous or mistyped parcel keys, communes and projects, bad or out-of-range dates,
negative or ambiguous numbers, chainage-range and aggregate rows) and rows interact (the same parcel
several times, stages going back, corrections, exact and conflicting repeats, a ledger with corrections).
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.clean_rows import ordered_keys
from ingest.validate import validate
from tests.ingest.fixture_data import TODAY, make_ledger, make_parcels, make_projects
from tests.ingest.validate_reference import validate_row_by_row

PARCELS = make_parcels()
PROJECTS = make_projects()

COMMUNES = ["Xã Hợp Thành", "hop thanh", "Thị trấn Cao Lộc", "Cao Lộc", "Phường Kỳ Lừa", "Xã Gia Cát", "gia cat",
            "Xã Thụy Hùng", "Xã Không Có", "", None]
SHEETS = ["12", "3", "4", "8", "20", "12.0", 12, 3.0, "-3", "x", "", None]
NUMBERS = ["5", "6", "7", "15", "16", "101", "44", "45", "1", "2", "05", "15a", "9999", "A1", 5, 16.0, "", None]
STAGE_CELLS = ["Thông báo thu hồi đất", "Kiểm đếm", "kiem dem", "Niêm yết phương án", "Phê duyệt phương án / QĐ thu hồi",
               "Chi trả", "Bàn giao mặt bằng", "Khiếu nại", "Cưỡng chế", "Chưa triển khai", "xong", "", None]
PROJECT_CELLS = ["QL4B", "ql4b", "CT_HNCL", "CCN_HT1", "Cao tốc Hữu Nghị – Chi Lăng", "QL99", "", None]
AREAS = ["512,5", "350", "95", "1.234,5", "450.800", "-3", "abc", "0", "", None]
AMOUNTS = ["12.500.000", "1.000", "250000000", "-5", "nhiều", "", None]
HOUSEHOLDS = ["1", "2", "-1", "1,5", "", None]
FLAGS = ["x", "có", "", "không", "maybe", None]
NOTES = ["", "đo đạc bổ sung", "=1+1", "<b>x</b>", None]
CHAINAGES = ["Km5+200", "Km5+400", "4000", "Km99+000", "abc", "", None]


def _day(offset: int) -> str:
    return (date(2024, 1, 1) + timedelta(days=offset)).strftime("%d/%m/%Y")


DATES = [_day(d) for d in (0, 10, 40, 100, 150)] + [_day(400), "01/01/2019", "32/13/2024", "", None]


def _mostly(valid: list, other: list):
    """Valid cells three times as often as the others (most rows of a real file are clean)."""
    return st.sampled_from(valid * 3 + other)


def _parcel_cells(draw, row: dict) -> None:
    """The key cells of a parcel row: usually a real parcel (written in one of its accepted forms), else any."""
    if draw(st.integers(0, 3)):   # few parcels, often the same ones: rows of one parcel meet in file order
        p = PARCELS.iloc[draw(st.sampled_from([0, 0, 4, 5, 5, *range(len(PARCELS))]))]
        row["commune"] = draw(st.sampled_from([p.commune_former, p.commune_former.lower(), p.commune]))
        row["map_sheet"] = draw(st.sampled_from([str(p.map_sheet), int(p.map_sheet)]))
        row["parcel_number"] = draw(st.sampled_from([str(p.parcel_number), f"0{p.parcel_number}"]))
        row["project"] = draw(st.sampled_from([p.project_id, p.project_id, "", "QL99", "CT_HNCL"]))
    else:
        row["map_sheet"], row["parcel_number"] = draw(st.sampled_from(SHEETS)), draw(st.sampled_from(NUMBERS))


@st.composite
def tables(draw) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=25))
    kinds = st.sampled_from(["parcel"] * 6 + ["range", "aggregate"])
    rows = []
    for _ in range(n):
        kind = draw(kinds)
        row = {"project": draw(st.sampled_from(PROJECT_CELLS)), "commune": draw(st.sampled_from(COMMUNES)),
               "event": draw(_mostly(STAGE_CELLS[:9], STAGE_CELLS[9:])),
               "event_date": draw(_mostly(DATES[:5], DATES[5:])),
               "area_m2": draw(_mostly(["", "95", "350", "512,5", "0"], AREAS)),
               "amount_vnd": draw(_mostly(["", "12.500.000", "1.000"], AMOUNTS)),
               "households": draw(_mostly(["", "1"], HOUSEHOLDS)),
               "is_correction": draw(_mostly(["", None], FLAGS)),
               "note": draw(st.sampled_from(NOTES)), "map_sheet": None, "parcel_number": None,
               "chainage_from": None, "chainage_to": None}
        if kind == "parcel":
            _parcel_cells(draw, row)
        elif kind == "range":
            row["chainage_from"], row["chainage_to"] = (draw(st.sampled_from(CHAINAGES)) for _ in range(2))
        rows.append(row)
    frame = pd.DataFrame(rows, dtype=object)
    dropped = draw(st.sets(st.sampled_from(["households", "is_correction", "note", "project", "amount_vnd"])))
    frame = frame.drop(columns=sorted(dropped))
    frame.index = pd.RangeIndex(2, 2 + n)
    return frame


def _ledger(with_correction: bool) -> pd.DataFrame:
    ledger = make_ledger()
    extra = ledger.iloc[[0]].assign(event_id=3, parcel_id="QL4B/06112/12/6", event="inventoried",
                                    event_date=date(2024, 1, 20), is_correction=with_correction)
    return pd.concat([ledger, extra], ignore_index=True)


def _same(table: pd.DataFrame, ledger, today=TODAY) -> None:
    fast = validate(table, PARCELS, PROJECTS, ledger, today)
    slow = validate_row_by_row(table, PARCELS, PROJECTS, ledger, today)
    pd.testing.assert_frame_equal(fast.events, slow.events)
    assert fast.problems == slow.problems
    assert fast.notes == slow.notes and fast.rows_read == slow.rows_read


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables(), ledger=st.sampled_from(["none", "plain", "corrected"]))
def test_validate_equals_row_by_row(table, ledger):
    _same(table, None if ledger == "none" else _ledger(ledger == "corrected"))


def _parcel_rows(cells: list[tuple], areas: list[str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(cells, columns=["commune", "map_sheet", "parcel_number", "event", "event_date", "is_correction"])
    frame["area_m2"] = areas or [""] * len(frame)
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return frame


def test_repeat_with_other_figures_equal():
    """The same parcel, stage and date twice with another area: the later row is refused, as row by row."""
    table = _parcel_rows([("Xã Gia Cát", "3", "16", "Kiểm đếm", _day(10), "")] * 2, areas=["100", "120"])
    _same(table, None)
    assert validate(table, PARCELS, PROJECTS, None, TODAY).invalid_rows == [3]


@pytest.mark.parametrize("cells", [
    # stage going back in file order, on dates going forwards and backwards
    [("Xã Gia Cát", "3", "16", "Chi trả", _day(10), ""), ("Xã Gia Cát", "3", "16", "Kiểm đếm", _day(40), "")],
    [("Xã Gia Cát", "3", "16", "Chi trả", _day(40), ""), ("Xã Gia Cát", "3", "16", "Kiểm đếm", _day(10), "")],
    # a correction, then a stage below the corrected one
    [("Xã Gia Cát", "3", "16", "Chi trả", _day(10), ""), ("Xã Gia Cát", "3", "16", "Kiểm đếm", _day(20), "x"),
     ("Xã Gia Cát", "3", "16", "Niêm yết phương án", _day(30), "")],
    # the same fact twice (one committed), the same stage and date with other figures (refused)
    [("Xã Gia Cát", "3", "16", "Kiểm đếm", _day(10), ""), ("Xã Gia Cát", "3", "16", "Kiểm đếm", _day(10), "")],
    [("Xã Gia Cát", "3", "16", "Kiểm đếm", _day(10), ""), ("Xã Gia Cát", "3", "16", "Kiểm đếm", _day(10), "x")],
    # one rank back (paid → approved), a later row at the same date with another figure
    [("Xã Gia Cát", "3", "16", "Chi trả", _day(10), ""), ("Xã Gia Cát", "3", "16", "Phê duyệt phương án / QĐ thu hồi",
                                                         _day(40), "")],
    [("Xã Gia Cát", "3", "16", "Khiếu nại", _day(10), ""), ("Xã Gia Cát", "3", "16", "Khiếu nại", _day(10), "có")],
    # below the ledger's 'paid' of 10/05/2024 (3/15), and after it
    [("Xã Gia Cát", "3", "15", "Kiểm đếm", "01/06/2024", ""), ("Xã Gia Cát", "3", "15", "Kiểm đếm", "01/04/2024", "")],
])
def test_file_order_cases_equal(cells):
    _same(_parcel_rows(cells), make_ledger())


def test_ordered_keys_finds_the_parcels_that_need_file_order():
    """Only the parcel whose stage falls needs the row-by-row file-order checks; the report still equals."""
    table = _parcel_rows([("Xã Gia Cát", "3", "16", "Chi trả", _day(10), ""),
                          ("Xã Gia Cát", "4", "101", "Kiểm đếm", _day(10), ""),
                          ("Xã Gia Cát", "3", "16", "Kiểm đếm", _day(40), ""),
                          ("Xã Gia Cát", "4", "101", "Chi trả", _day(40), "")])
    from ingest.clean_rows import clean_parcel_rows
    from ingest.validate import _decimal_convention, _file_checks, _parsed_columns

    checks = _file_checks(table, {}, PARCELS, PROJECTS, None, TODAY)
    clean = clean_parcel_rows(_parsed_columns(table, _decimal_convention(table)), checks.lookups, today=TODAY,
                              project_starts=checks.project_starts, formula_rows={}, header_problem="")
    assert np.array_equal(clean.positions, np.arange(4))
    assert ordered_keys(clean, checks.history.stages) == {"QL4B/06136/3/16"}
    report = validate(table, PARCELS, PROJECTS, None, TODAY)
    assert report.invalid_rows == [4] and report.rows_valid == 3
    _same(table, None)


def test_generator_reaches_clean_rows():
    """The equality test is worth its name: its files carry many clean rows (the column-by-column path)."""
    from ingest.clean_rows import clean_parcel_rows
    from ingest.validate import _decimal_convention, _file_checks, _parsed_columns

    found = []

    @settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(table=tables())
    def count(table):
        checks = _file_checks(table, {}, PARCELS, PROJECTS, None, TODAY)
        clean = clean_parcel_rows(_parsed_columns(table, _decimal_convention(table)), checks.lookups, today=TODAY,
                                  project_starts=checks.project_starts, formula_rows={}, header_problem="")
        found.append(len(clean))

    count()
    assert sum(found) >= 40, found

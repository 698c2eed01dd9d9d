"""The procedure plan in the views of the blocking sets: the «Điểm nghẽn» tables, the XLSX sheet and
``cli.py blockers`` show the planned date, the days behind plan and the lead body when a project has a plan,
and the tables of before when it has none."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from commands.blockers import blocker_records, csv_table, format_text
from dashboard.tables import blocking_list, overdue_tables
from exports.excel import export_xlsx
from exports.figure_tables import BLOCKING_HEADERS
from tests.milestones.conftest import Ledger, ten_parcels
from tests.milestones.test_procedure_plan import PLAN, _ledger, _snapshot, _steps
from vocab.labels import PLAN_HEADERS_VI

PLANNED, BEHIND = PLAN_HEADERS_VI["planned_date"], PLAN_HEADERS_VI["days_behind_plan"]


@pytest.fixture(params=["plan", "none"])
def snap(request):
    return _snapshot(ten_parcels(), _ledger(Ledger()), _steps(rows=PLAN) if request.param == "plan" else None)


def test_blocking_list_shows_the_plan_only_when_there_is_one(snap):
    listed = blocking_list(snap.blockers, "M")
    table, columns = listed.set_index("Thửa"), list(listed.columns)
    if not snap.blockers["planned_date"].notna().any():
        assert columns == list(BLOCKING_HEADERS)
        return
    assert columns[columns.index("Số ngày quá hạn") + 1: columns.index("Số ngày quá hạn") + 3] == [PLANNED, BEHIND]
    assert table.loc["R/4", [PLANNED, BEHIND, "Cơ quan thực hiện"]].tolist() == ["10/06/2024", "20", "UBND xã"]
    assert table.loc["R/2", [PLANNED, BEHIND, "Cơ quan thực hiện"]].tolist() == ["01/08/2024", "", "Tổ công tác GPMB"]


def test_overdue_actions_carry_the_plan_beside_the_deadline(snap):
    counts, actions = overdue_tables(snap.clocks)
    assert len(actions) and len(counts)
    has = snap.clocks.loc[snap.clocks["days_overdue"] > 0, "planned_date"].notna().any()
    assert (PLANNED in actions.columns) == bool(has)
    late = actions[actions["Thửa"] == "R/8"].iloc[0]      # approved 01/05: payment due 31/05, 30 days late
    assert (late["Hạn"], late["Quá hạn (ngày)"]) == ("31/05/2024", "30")
    if has:   # the plan's payment step: led by Ban QLDA, planned 15/06, 15 days behind
        assert (late["Cơ quan"], late[PLANNED], late[BEHIND]) == ("Ban QLDA ĐTXD", "15/06/2024", "15")
        assert "Ban QLDA ĐTXD" in set(counts["Cơ quan"])
    else:
        assert late["Cơ quan"] == "Trung tâm Phát triển quỹ đất"


def test_xlsx_blocking_sheet_has_the_plan_columns_with_a_plan(snap):
    ws = openpyxl.load_workbook(io.BytesIO(export_xlsx(snap)))["Điểm nghẽn"]
    header = [c.value for c in ws[4]]
    planned = bool(snap.blockers["planned_date"].notna().any())
    assert (PLANNED in header and BEHIND in header) == planned
    if planned:
        rows = {r[header.index("Thửa")]: r for r in ws.iter_rows(min_row=5, values_only=True)}
        assert rows["R/4"][header.index(PLANNED)].date() == date(2024, 6, 10)
        assert rows["R/4"][header.index(BEHIND)] == 20
        assert rows["R/4"][header.index("Cơ quan thực hiện")] == "UBND xã"


def test_cli_blockers_json_text_and_csv_with_and_without_a_plan(snap):
    records = blocker_records(snap, "R")
    parcels = {p["parcel_id"]: p for p in records[0]["parcels"]}
    planned = bool(snap.blockers["planned_date"].notna().any())
    table = csv_table(records)
    text = format_text(records, "R", date(2024, 6, 30))
    if planned:
        assert (parcels["R/4"]["planned_date"], parcels["R/4"]["days_behind_plan"]) == ("2024-06-10", 20)
        assert parcels["R/4"]["responsible"] == "ubnd_xa"
        assert table.set_index("Thửa đất").loc["R/4", BEHIND] == 20
        assert "kế hoạch 10/06/2024, chậm 20 ngày" in text
    else:
        assert parcels["R/4"]["planned_date"] is None and parcels["R/4"]["days_behind_plan"] == 0
        assert PLANNED not in table.columns and "kế hoạch" not in text

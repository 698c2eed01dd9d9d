"""«Điểm nghẽn» with a procedure plan: the blocking list and the overdue actions show the planned date, the days
behind plan and the plan's lead body (the synthetic snapshot of ``synthetic.py`` given the plan columns that
``milestones.procedure_plan`` computes; the computation itself is tested in tests/milestones)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from dashboard import state
from tests.dashboard import synthetic
from vocab.labels import PLAN_HEADERS_VI

PLANNED = date(2024, 2, 15)


def _with_plan(store, as_of):
    snap = synthetic.compute_snapshot(store, as_of)
    behind = max(0, (as_of - PLANNED).days)
    blockers = snap.blockers.assign(planned_date=PLANNED, days_behind_plan=behind, responsible="Tổ công tác GPMB")
    clocks = snap.clocks.assign(planned_date=PLANNED, days_behind_plan=behind, responsible="Tổ công tác GPMB")
    blockers.attrs["summary"] = snap.blocking_summary
    return replace(snap, blockers=blockers, clocks=clocks)


def test_blockers_page_shows_the_plan_beside_the_deadline(fake_backend, page_app, monkeypatch):
    monkeypatch.setattr(state, "_compute_snapshot", _with_plan)
    at = page_app("15_blockers").run()
    at.date_input(key=state.AS_OF_KEY).set_value(date(2024, 3, 31)).run()
    assert not at.exception and not at.error
    ranked = at.dataframe[1].value
    columns = list(ranked.columns)
    at_ = columns.index("Số ngày quá hạn")
    assert columns[at_ + 1:at_ + 3] == [PLAN_HEADERS_VI["planned_date"], PLAN_HEADERS_VI["days_behind_plan"]]
    assert set(ranked[PLAN_HEADERS_VI["planned_date"]]) == {"15/02/2024"}
    assert set(ranked[PLAN_HEADERS_VI["days_behind_plan"]]) == {"45"}            # 15/02 → 31/03
    assert set(ranked["Cơ quan thực hiện"]) == {"Tổ công tác GPMB"}
    counts, actions = at.dataframe[2].value, at.dataframe[3].value
    assert counts["Cơ quan"].tolist() == ["Tổ công tác GPMB"]
    assert actions[PLAN_HEADERS_VI["days_behind_plan"]].tolist() == ["45", "45"]
    assert any("kế hoạch thủ tục" in c.value for c in at.caption)

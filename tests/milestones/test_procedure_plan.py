"""The procedure plan in the schedule computations (milestones.procedure_plan): the lead body as the
responsible body of the next action, the planned date and the days behind plan beside the legal deadline,
behind-plan parcels expected later in the ranking; without a plan, the figures of before."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from milestones.prepared import prepare_frames, snapshot_at
from milestones.procedure_plan import body_code, next_stage_plan, stage_plan
from milestones.snapshot import compute_snapshot_from_frames
from tests.milestones.conftest import ten_parcels

AS_OF = date(2024, 6, 30)


def _projects():
    return pd.DataFrame({"project_id": ["R", "Q"], "name": ["R", "Q"], "short_name": ["R", "Q"],
                         "kind": ["area", "area"]})


def _milestones(metric="percent_area_handed_over", target=100):
    return pd.DataFrame([dict(milestone_id="M", project_id="R", due_date="31/12/2024", metric=metric,
                              target_percent=target, scope="project", label="M")])


def _steps(project="R", rows=()):
    """Plan rows: (step_code, stage target, planned date, lead body)."""
    return pd.DataFrame([dict(project_id=project, step_code=c, name=c, legal_basis="", lead_body=body,
                              support_body=None, min_days=None, planned_date=planned, actual_date=None, stage=stage)
                         for c, stage, planned, body in rows])


PLAN = (("C001", "notice", date(2024, 1, 10), "Phòng TN&MT"),
        ("C002", "inventory", date(2024, 6, 10), "UBND xã Đông"),      # inventory planned 20 days before as_of
        ("C003", "plan_posted", date(2024, 8, 1), "Tổ công tác GPMB"),  # a body not in the table: kept as written
        ("C005", "approved", date(2024, 9, 1), None),                  # no lead body: the table's body
        ("C007", "paid", date(2024, 6, 15), "Ban QLDA"),
        ("C009", "flag:compulsory_inventory", date(2024, 2, 1), "TTPTQĐ"))


def _snapshot(parcels, ledger, procedure, *, milestones=None):
    return compute_snapshot_from_frames(projects=_projects(), parcels=parcels, events=ledger.frame(),
                                        milestones=_milestones() if milestones is None else milestones, rules=None,
                                        as_of=AS_OF, procedure=procedure)


def _ledger(ledger):
    for i in (0, 1):
        ledger.parcel(f"R/{i}", "handed_over", "2024-01-10", project="R")
    ledger.parcel("R/2", "inventory", "2024-06-01", project="R")
    ledger.parcel("R/3", "plan_posted", "2024-06-20", project="R")
    for i in (4, 5, 6):
        ledger.parcel(f"R/{i}", "notice", "2024-02-01", project="R")
    ledger.parcel("R/8", "approved", "2024-05-01", project="R")      # payment due 31/05 (art. 94): overdue
    return ledger


@pytest.mark.parametrize(("written", "code"), [
    ("TTPTQĐ", "ttptqd"), ("Trung tâm Phát triển quỹ đất huyện", "ttptqd"), ("UBND xã Hợp Thành", "ubnd_xa"),
    ("Phòng TN&MT", "phong_tnmt"), ("Phòng Tài nguyên và Môi trường", "phong_tnmt"), ("Ban QLDA ĐTXD", "ban_qlda"),
    ("UBND huyện Cao Lộc", "ubnd_huyen"), ("  Sở Xây dựng ", "Sở Xây dựng"), ("", None), (None, None),
])
def test_body_code_of_a_lead_body_as_offices_write_it(written, code):
    assert body_code(written) == code


def test_stage_plan_takes_the_earliest_step_of_a_stage_and_its_first_named_body():
    steps = _steps(rows=(("C007", "paid", date(2024, 5, 20), None), ("C006", "paid", date(2024, 5, 1), None),
                         ("C008", "paid", None, "Ban QLDA"), ("C009", "flag:enforced", date(2024, 1, 1), "TTPTQĐ"),
                         ("C010", None, date(2024, 1, 1), "TTPTQĐ")))
    plan = stage_plan(steps)
    assert plan[["project_id", "stage"]].values.tolist() == [["R", "paid"]]   # flags and unmapped steps: nothing
    assert plan.loc[0, "planned_date"] == pd.Timestamp("2024-05-01")
    assert plan.loc[0, "lead_body"] == "ban_qlda"
    ahead = next_stage_plan(["R", "R", "Q", "R"], ["approved", "paid", "approved", "handed_over"], plan, AS_OF)
    assert ahead["planned_date"].tolist() == [date(2024, 5, 1), None, None, None]
    assert ahead["days_behind_plan"].tolist() == [60, 0, 0, 0]          # 01/05 → 30/06: 60 calendar days
    assert ahead["lead_body"].tolist() == ["ban_qlda", None, None, None]


def test_clocks_and_blockers_take_the_plan_of_the_next_stage(ledger):
    s = _snapshot(ten_parcels(), _ledger(ledger), _steps(rows=PLAN))
    clocks = s.clocks[s.clocks["action"] != "resolve_complaint"].drop_duplicates("parcel_id").set_index("parcel_id")
    # R/4 at notice: its next action (inventory) is led by the plan's body, planned 10/06, 20 days behind.
    notice = clocks.loc["R/4"]
    assert (notice["action"], notice["responsible"]) == ("conduct_inventory", "ubnd_xa")
    assert (notice["planned_date"], notice["days_behind_plan"]) == (date(2024, 6, 10), 20)
    # R/2 at inventory: plan posting planned 01/08 (not past), a body not in the table kept as written.
    inventory = clocks.loc["R/2"]
    assert (inventory["responsible"], inventory["planned_date"], inventory["days_behind_plan"]) == (
        "Tổ công tác GPMB", date(2024, 8, 1), 0)
    # R/3 at plan_posted: the approval step names no body → the responsible table (Phòng TN&MT).
    assert clocks.loc["R/3", "responsible"] == "phong_tnmt"
    b = s.blockers.set_index("parcel_id")
    assert b.loc["R/4", "responsible"] == "ubnd_xa" and b.loc["R/4", "days_behind_plan"] == 20
    assert b.loc["R/7", "planned_date"] == date(2024, 1, 10)                 # not started: notice planned 10/01
    assert b.loc["R/7", "days_behind_plan"] == (AS_OF - date(2024, 1, 10)).days
    assert b.loc["R/7", "responsible"] == "phong_tnmt"


def test_days_behind_plan_add_to_the_expected_days(ledger, new_ledger):
    without = _snapshot(ten_parcels(), _ledger(ledger), None).blockers.set_index("parcel_id")["expected_days"]
    plan = _snapshot(ten_parcels(), _ledger(new_ledger()), _steps(rows=PLAN)).blockers.set_index("parcel_id")
    behind = plan["days_behind_plan"]
    assert behind[["R/2", "R/3", "R/4"]].tolist() == [0, 0, 20]
    assert (plan["expected_days"] - without).to_dict() == pytest.approx(behind.astype(float).to_dict())


def test_a_household_behind_plan_ranks_after_one_on_plan(ledger, new_ledger):
    # H0: R/0 at inventory and R/1 at plan_posted; H1: R/2 and R/3 at inventory (same days). Without a plan H0
    # (the later parcel counts no more than R/0) ties H1 and wins on the id; with approval planned 01/03 R/1 is
    # 121 days behind, so H0 is expected later and H1 comes first.
    parcels = ten_parcels().assign(household_id=["H0", "H0", "H1", "H1", "H2", "H3", "H4", "H5", "H6", "H7"])

    def events(book):
        book.parcel("R/0", "inventory", "2024-06-25", project="R").parcel("R/1", "plan_posted", "2024-06-25",
                                                                        project="R")
        return book.parcel("R/2", "inventory", "2024-06-25", project="R").parcel("R/3", "inventory", "2024-06-25",
                                                                                 project="R")

    ms = _milestones("percent_households_paid", 25)
    before = _snapshot(parcels, events(ledger), None, milestones=ms).blockers
    after = _snapshot(parcels, events(new_ledger()), _steps(rows=(("C005", "approved", date(2024, 3, 1), None),)),
                      milestones=ms).blockers
    assert list(before["unit_id"]) == ["H0", "H1"]
    assert list(after["unit_id"]) == ["H1", "H0"]


def test_without_a_plan_the_snapshot_is_that_of_before(ledger, new_ledger):
    base = _snapshot(ten_parcels(), _ledger(ledger), None)
    # A plan of another project, and one with flag steps only, change nothing of project R.
    for procedure in (_steps("Q", PLAN), _steps(rows=PLAN[-1:]), _steps(rows=())):
        other = _snapshot(ten_parcels(), _ledger(new_ledger()), procedure)
        for name in ("parcels", "clocks", "blockers", "blocking_summary", "milestones", "projects"):
            pd.testing.assert_frame_equal(getattr(base, name), getattr(other, name), check_dtype=False, obj=name)
    assert base.clocks["planned_date"].isna().all() and (base.clocks["days_behind_plan"] == 0).all()
    assert base.blockers["planned_date"].isna().all() and (base.blockers["days_behind_plan"] == 0).all()
    assert set(base.blockers["responsible"]) <= {"phong_tnmt", "ttptqd"}


def test_prepared_snapshot_reads_the_plan_as_compute_snapshot_does(ledger):
    events = _ledger(ledger).frame()
    steps = _steps(rows=PLAN)
    direct = compute_snapshot_from_frames(projects=_projects(), parcels=ten_parcels(), events=events,
                                          milestones=_milestones(), rules=None, as_of=AS_OF, procedure=steps)
    prepared = prepare_frames(projects=_projects(), parcels=ten_parcels(), events=events, milestones=_milestones(),
                              rules=None, procedure=steps)
    sliced = snapshot_at(prepared, AS_OF)
    for name in ("clocks", "blockers"):
        pd.testing.assert_frame_equal(getattr(direct, name), getattr(sliced, name), obj=name)
    assert (sliced.blockers["days_behind_plan"] > 0).any()

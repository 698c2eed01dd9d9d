"""Milestones, rules and project attributes kept in the store (issue 10), on both backends.

Each change is a ``config_changes`` row (who, when, before, after, reason) and one audit row; the
milestones in force at a day are the latest change recorded (Vietnam date) on or before it, the seed
counting from the beginning; maker–checker and the role apply as to the other destructive writes.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import text

from domain.roles import PermissionDeniedError
from milestones.prepared import prepare, snapshot_at
from milestones.rules_check import RulesError, validate_rules_text
from milestones.snapshot import compute_snapshot
from store import AuditTrail
from store.engine import write_transaction
from store.errors import StoreError
from tests.support.actors import make_account, office_admin

JUNE = date(2024, 6, 30)
AUGUST = datetime(2024, 8, 12, 3, 0, tzinfo=UTC)


def at(moment: datetime):
    return lambda: moment


def target(frame: pd.DataFrame, milestone_id: str) -> float:
    return float(frame.set_index("milestone_id").loc[milestone_id, "target_percent"])


def test_the_seed_is_recorded_once_and_read_back(store):
    history = store.config_history()
    assert history.kind.tolist() == ["milestone", "milestone", "rules"]
    assert set(history.source) == {"seed"} and history.account.isna().all()
    assert store.milestones().milestone_id.tolist() == ["QL4B_100", "CCN_HT1_50"]
    assert store.data_version()["last_config_change_id"] == 3


def test_set_milestone_records_who_when_before_after_and_why(store):
    admin = office_admin(store)
    store.clock = at(AUGUST)
    audit_before = len(AuditTrail(store).read())
    outcome = store.set_milestone("QL4B_100", {"target_percent": "95", "due_date": "31/8/2024"}, actor=admin,
                                  reason="Công văn 123/UBND điều chỉnh")
    assert outcome.executed
    assert target(store.milestones(), "QL4B_100") == 95
    assert store.milestones().set_index("milestone_id").loc["QL4B_100", "due_date"] == "31/08/2024"
    last = store.config_history("milestone").iloc[-1]
    assert (last.change_id, last.account, last.reason, last.source) == (outcome.result, "quan_tri",
                                                                       "Công văn 123/UBND điều chỉnh", "edit")
    assert last.recorded_at == pd.Timestamp(AUGUST)
    assert last.before["target_percent"] == 100 and last.after["target_percent"] == 95
    assert last.after["label"] == last.before["label"]                     # untouched fields kept
    audit = AuditTrail(store).read()
    assert len(audit) == audit_before + 1
    row = audit.iloc[-1]
    assert (row.action, row.target, row.account) == ("milestone_changed", "milestone:QL4B_100", "quan_tri")
    assert row.before["milestone"]["target_percent"] == 100 and row.after["milestone"]["target_percent"] == 95
    # the same values again write nothing
    again = store.set_milestone("QL4B_100", {"target_percent": 95}, actor=admin, reason="lặp")
    assert again.result is None and len(store.config_history()) == 4


def test_a_change_in_august_does_not_rewrite_june(store):
    admin = office_admin(store)
    store.clock = at(AUGUST)
    store.set_milestone("QL4B_100", {"target_percent": 60}, actor=admin, reason="giảm chỉ tiêu")
    assert target(store.milestones(as_of=JUNE), "QL4B_100") == 100            # as it stood in June
    assert target(store.milestones(as_of=date(2024, 8, 11)), "QL4B_100") == 100
    assert target(store.milestones(as_of=date(2024, 8, 12)), "QL4B_100") == 60
    assert target(store.milestones(), "QL4B_100") == 60
    june = compute_snapshot(store, JUNE).milestones.set_index("milestone_id")
    august = compute_snapshot(store, date(2024, 8, 31)).milestones.set_index("milestone_id")
    assert june.loc["QL4B_100", "target_percent"] == 100 and august.loc["QL4B_100", "target_percent"] == 60
    prepared = prepare(store)                                                 # the dashboard's path agrees
    assert snapshot_at(prepared, JUNE).milestones.set_index("milestone_id").loc["QL4B_100", "target_percent"] == 100
    assert snapshot_at(prepared, date(2024, 8, 31)).milestones.set_index(
        "milestone_id").loc["QL4B_100", "target_percent"] == 60


def test_the_day_a_change_takes_force_is_the_vietnam_date(store):
    admin = office_admin(store)
    store.clock = at(datetime(2024, 7, 31, 17, 30, tzinfo=UTC))              # 00:30 on 1 August in Hà Nội
    store.set_milestone("CCN_HT1_50", {"target_percent": 40}, actor=admin, reason="điều chỉnh")
    assert target(store.milestones(as_of=date(2024, 7, 31)), "CCN_HT1_50") == 50
    assert target(store.milestones(as_of=date(2024, 8, 1)), "CCN_HT1_50") == 40


def test_an_officer_may_not_change_milestones_and_nothing_is_written(store):
    office_admin(store)
    officer = make_account(store, "can_bo", "officer")
    history, audit = len(store.config_history()), len(AuditTrail(store).read())
    with pytest.raises(PermissionDeniedError):
        store.set_milestone("QL4B_100", {"target_percent": 90}, actor=officer, reason="thử")
    with pytest.raises(PermissionDeniedError):
        store.set_rules("forecast_window_days: 30\n", actor=officer, reason="thử")
    with pytest.raises(PermissionDeniedError):
        store.set_project_attributes("QL4B", {"short_name": "X"}, actor=officer, reason="thử")
    assert len(store.config_history()) == history and len(AuditTrail(store).read()) == audit


def test_maker_checker_a_change_waits_for_a_second_account(store):
    maker = make_account(store, "quan_tri", "admin")                          # maker_checker on (default)
    checker = make_account(store, "truong_phong", "admin")
    outcome = store.set_milestone("QL4B_100", {"target_percent": 80}, actor=maker, reason="KH điều chỉnh")
    assert not outcome.executed and outcome.proposal_id is not None
    assert target(store.milestones(), "QL4B_100") == 100                      # nothing changed yet
    with pytest.raises(StoreError, match="không tự duyệt"):
        store.confirm_proposal(outcome.proposal_id, actor=maker)
    confirmed = store.confirm_proposal(outcome.proposal_id, actor=checker)
    assert confirmed.executed
    assert target(store.milestones(), "QL4B_100") == 80
    last = store.config_history("milestone").iloc[-1]
    assert (last.account, int(last.proposal_id)) == ("truong_phong", outcome.proposal_id)
    row = AuditTrail(store).read().iloc[-1]
    assert row.action == "milestone_changed"
    assert row.after["review"] == {"maker_checker": "on", "proposal_id": outcome.proposal_id,
                                   "proposed_by": "quan_tri", "confirmed_by": "truong_phong"}


def test_a_confirmation_is_refused_when_the_milestone_changed_since(store):
    maker = make_account(store, "quan_tri", "admin")
    checker = make_account(store, "truong_phong", "admin")
    first = store.set_milestone("QL4B_100", {"target_percent": 80}, actor=maker, reason="a")
    table = store.milestones().assign(target_percent=[90, 50])
    second = store.import_milestones(table, actor=checker, reason="b")
    store.confirm_proposal(second.proposal_id, actor=maker)
    with pytest.raises(StoreError, match="đã được thay đổi"):
        store.confirm_proposal(first.proposal_id, actor=checker)
    assert target(store.milestones(), "QL4B_100") == 90


def test_import_shows_its_change_set_and_removals_need_their_exact_count(store):
    admin = office_admin(store)
    table = pd.DataFrame([
        dict(milestone_id="QL4B_100", project_id="QL4B", due_date="31/03/2024", metric="percent_area_handed_over",
             target_percent="100", scope="project", label="QL4B: bàn giao 100% trước 31/3/2024"),
        dict(milestone_id="QL4B_70", project_id="QL4B", due_date="2024-02-15", metric="percent_households_paid",
             target_percent="70,5", scope=None, label=None),
    ])
    change_set = store.milestone_change_set(table)
    assert [r["milestone_id"] for r in change_set.added] == ["QL4B_70"]
    assert change_set.added[0]["target_percent"] == 70.5 and change_set.added[0]["due_date"] == "15/02/2024"
    assert [r["milestone_id"] for r in change_set.removed] == ["CCN_HT1_50"] and change_set.unchanged == 1
    before = len(store.config_history())
    for allow in (None, 0, 2):
        with pytest.raises(StoreError, match="allow-remove"):
            store.import_milestones(table, actor=admin, reason="KH mới", allow_remove=allow)
    assert len(store.config_history()) == before
    result = store.import_milestones(table, actor=admin, reason="KH mới", allow_remove=1).result
    assert (result["added"], result["changed"], result["removed"]) == (1, 0, 1)
    assert store.milestones().milestone_id.tolist() == ["QL4B_100", "QL4B_70"]
    assert "CCN_HT1_50" in store.milestones(as_of=JUNE).milestone_id.tolist()  # removed now, in force in 2024
    removal = store.config_history("milestone").set_index("item").loc["CCN_HT1_50"].iloc[-1]
    assert removal.after is None and removal.before["target_percent"] == 50
    assert AuditTrail(store).read().iloc[-1].action == "milestones_imported"


def test_import_refuses_bad_rows_naming_line_and_column(store):
    admin = office_admin(store)
    bad = store.milestones().assign(target_percent=["120", "50"])
    with pytest.raises(StoreError, match=r"dòng 2 .*target_percent"):
        store.import_milestones(bad, actor=admin, reason="x")
    unknown = store.milestones().assign(project_id=["QL4B", "KHONG_CO"])
    with pytest.raises(StoreError, match="KHONG_CO"):
        store.milestone_change_set(unknown)
    with pytest.raises(StoreError, match="lặp lại"):
        store.milestone_change_set(pd.concat([store.milestones()] * 2))
    with pytest.raises(StoreError, match="lý do"):
        store.set_milestone("QL4B_100", {"target_percent": 90}, actor=admin, reason="  ")


def test_rules_are_validated_before_the_store_and_read_as_of(store):
    admin = office_admin(store)
    with pytest.raises(RulesError, match="không được âm"):
        store.set_rules("forecast_window_days: -5\n", actor=admin, reason="x", validate=validate_rules_text)
    with pytest.raises(StoreError, match="YAML mapping"):
        store.set_rules("- 1\n", actor=admin, reason="x")
    store.clock = at(AUGUST)
    new_text = "# cửa sổ ngắn hơn\nforecast_window_days: 30\n"
    outcome = store.set_rules(new_text, actor=admin, reason="QĐ 45", validate=validate_rules_text)
    assert outcome.executed and store.rules_text() == new_text               # kept as written, comment too
    assert store.rules()["forecast_window_days"] == 30
    assert store.rules(as_of=JUNE)["forecast_window_days"] == 60
    assert compute_snapshot(store, JUNE).rules["forecast_window_days"] == 60
    assert compute_snapshot(store, date(2024, 9, 1)).rules["forecast_window_days"] == 30
    assert store.config_history("rules").iloc[-1].before["yaml"].startswith("# Giới hạn")
    assert AuditTrail(store).read().iloc[-1].action == "rules_changed"


def test_project_attributes_are_a_recorded_change_and_a_new_layer_version(store):
    admin = office_admin(store)
    versions = len(store.layer_versions("projects"))
    outcome = store.set_project_attributes("QL4B", {"short_name": "QL4B mới", "start_date": "01/02/2024",
                                                    "section_to_m": "2.500,5"}, actor=admin, reason="QĐ phê duyệt")
    assert outcome.executed
    project = store.projects().set_index("project_id").loc["QL4B"]
    assert project.short_name == "QL4B mới" and project.start_date == date(2024, 2, 1)
    assert project.section_to_m == 2500.5
    layer = store.layer_versions("projects")
    assert len(layer) == versions + 1 and layer.source.iloc[-1] == "attributes"
    change = store.config_history("project").iloc[-1]
    assert change["item"] == "QL4B" and change.after["short_name"] == "QL4B mới"
    assert change.before["start_date"] != "01/02/2024"
    assert len(store.parcels()) == 6
    with pytest.raises(StoreError, match="kind"):
        store.set_project_attributes("QL4B", {"kind": "river"}, actor=admin, reason="x")
    with pytest.raises(StoreError, match="Không có dự án"):
        store.set_project_attributes("KHONG_CO", {"name": "X"}, actor=admin, reason="x")


def test_the_ledger_of_changes_is_append_only(store):
    with pytest.raises(Exception, match="append-only"), write_transaction(store.engine) as conn:
        conn.execute(text("UPDATE config_changes SET reason = 'sửa lén'"))
    with pytest.raises(Exception, match="append-only"), write_transaction(store.engine) as conn:
        conn.execute(text("DELETE FROM config_changes"))
    assert len(store.config_history()) == 3

"""Units sharing one store (issue 10): scoping of reads and writes per account, the migration, the
per-unit write lock and the province roll-up, on both backends.

The fixture store has two projects (QL4B, CCN_HT1) seeded without a unit, so both get the default
unit 183 (huyện Cao Lộc); :func:`two_units` adds unit 184 and moves CCN_HT1 to it.
"""
from __future__ import annotations

import hashlib
import json
import threading
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text

import cli
from domain.roles import PermissionDeniedError, UnitScopeError
from store import Accounts, StoreError
from store.engine import write_transaction
from tests.support.actors import FAST_HASHER, TEST_PASSWORD, make_account
from tests.support.migrations import rewind

AS_OF = date(2024, 6, 30)


def make_unit_account(store, username, role, units, by):
    accounts = Accounts(store, hasher=FAST_HASHER)
    return accounts.create_account(username, TEST_PASSWORD, role=role, by=by, units=units)


@pytest.fixture
def two_units(store, actor):
    """Unit 184 (huyện Văn Quan) owning CCN_HT1; officers and an administrator of each unit."""
    store.add_unit("184", "Huyện Văn Quan", "Lạng Sơn", actor=actor)
    projects = store.projects()
    projects.loc[projects["project_id"] == "CCN_HT1", "unit"] = "184"
    store.replace_layer("projects", projects, actor=actor, report={})
    return {
        "admin": actor,
        "o183": make_unit_account(store, "cb_caoloc", "officer", ["183"], actor),
        "o184": make_unit_account(store, "cb_vanquan", "officer", ["Huyện Văn Quan"], actor),
        "a183": make_unit_account(store, "qt_caoloc", "admin", ["183"], actor),
    }


def upload(store, account, project_id, parcel_id, tag):
    frame = pd.DataFrame({"kind": ["parcel"], "project_id": [project_id], "parcel_id": [parcel_id],
                          "event": ["inventory"], "event_date": ["2024-05-01"]})
    return store.commit_upload(frame, actor=account, file_name=f"{tag}.csv",
                               file_sha256=hashlib.sha256(tag.encode()).hexdigest(), rows_read=1)


QL4B_PARCEL, CCN_PARCEL = "QL4B/Xã Gia Cát/12/101", "CCN_HT1/Xã Hợp Thành/7/1"


def test_seeded_store_has_the_default_unit(store):
    assert set(store.projects()["unit"]) == {"183"}
    assert store.units().to_dict("records") == [
        {"unit_code": "183", "name": "Huyện Cao Lộc", "province": "Lạng Sơn"}]


def test_a_projects_layer_without_units_keeps_them(store, two_units):
    """An import of clearance boundaries names no unit: projects keep theirs, a new one gets the default."""
    projects = store.projects().drop(columns="unit")
    extra = projects.iloc[[0]].assign(project_id="MOI", name="Dự án mới")
    store.replace_layer("projects", pd.concat([projects, extra], ignore_index=True), actor=two_units["admin"],
                        report={})
    assert dict(zip(store.projects()["project_id"], store.projects()["unit"])) == {
        "QL4B": "183", "CCN_HT1": "184", "MOI": "183"}
    unknown = store.projects().assign(unit="999")
    with pytest.raises(StoreError, match="999"):
        store.replace_layer("projects", unknown, actor=two_units["admin"], report={})


def test_scoped_reader_shows_only_the_accounts_units(store, two_units):
    o184 = two_units["o184"]
    assert o184.units == ("184",)  # the name was resolved to the code
    view = store.scoped(o184)
    assert list(view.projects()["project_id"]) == ["CCN_HT1"]
    assert set(view.parcels()["parcel_id"]) == set(store.parcels("CCN_HT1")["parcel_id"])
    assert len(view.parcels("QL4B")) == 0
    assert set(view.events()["project_id"]) == {"CCN_HT1"}
    assert len(view.events()) == (store.events()["project_id"] == "CCN_HT1").sum()
    assert set(view.milestones()["project_id"]) == {"CCN_HT1"}
    assert set(view.centrelines()["project_id"]) <= {"CCN_HT1"}
    assert list(view.units()["unit_code"]) == ["184"]
    assert view.data_version()["units"] == ("184",)
    # A province-level account reads the store itself.
    assert store.scoped(two_units["admin"]) is store


def test_uploads_of_other_units_are_refused(store, two_units):
    events_before = len(store.events())
    with pytest.raises(PermissionDeniedError) as refused:
        upload(store, two_units["o184"], "QL4B", QL4B_PARCEL, "sai-don-vi")
    assert "183" in refused.value.message_vi and refused.value.unit == "183"
    assert len(store.events()) == events_before
    result = upload(store, two_units["o184"], "CCN_HT1", CCN_PARCEL, "dung-don-vi")
    assert result.created and len(store.events()) == events_before + 1
    # The uploader sees his upload; the other unit's officer does not.
    assert result.upload_id in set(store.scoped(two_units["o184"]).uploads()["upload_id"])
    assert result.upload_id not in set(store.scoped(two_units["o183"]).uploads()["upload_id"])


def test_reverts_of_other_units_are_refused(store, two_units):
    ccn = upload(store, two_units["o184"], "CCN_HT1", CCN_PARCEL, "ccn")
    ql4b = upload(store, two_units["o183"], "QL4B", QL4B_PARCEL, "ql4b")
    with pytest.raises(PermissionDeniedError):
        store.revert_upload(ccn.upload_id, actor=two_units["a183"])
    assert store.uploads().set_index("upload_id").loc[ccn.upload_id, "reverted_at"] is pd.NaT
    assert store.revert_upload(ql4b.upload_id, actor=two_units["a183"]).executed


def test_layer_writes_beyond_the_units_are_refused(store, two_units):
    a183 = two_units["a183"]
    parcels = store.parcels()
    version = store.data_version()["layers"]["parcels"]
    # Dropping the other unit's parcels (a file of one unit's parcels written as the whole layer).
    with pytest.raises(UnitScopeError) as refused:
        store.replace_layer("parcels", parcels[parcels["project_id"] == "QL4B"], actor=a183, report={})
    assert "đơn vị khác" in refused.value.message_vi
    # Changing another unit's parcel area.
    changed = parcels.copy()
    changed.loc[changed["project_id"] == "CCN_HT1", "area_to_recover_m2"] += 10.0
    with pytest.raises(UnitScopeError):
        store.replace_layer("parcels", changed, actor=a183, report={})
    # Moving the other unit's project into his own unit.
    projects = store.projects()
    projects["unit"] = "183"
    with pytest.raises(UnitScopeError):
        store.replace_layer("projects", projects, actor=a183, report={})
    with pytest.raises(UnitScopeError):
        store.replace_layer("communes", store.communes(), actor=a183, report={})
    with pytest.raises(UnitScopeError):
        store.restore_layer("parcels", 1, actor=a183)
    assert store.data_version()["layers"]["parcels"] == version  # nothing written
    # His own unit's parcels may change, the others coming back as they were.
    mine = parcels.copy()
    mine.loc[mine["project_id"] == "QL4B", "area_to_recover_m2"] += 1.0
    assert store.replace_layer("parcels", mine, actor=a183, report={}) == version + 1


def test_unit_accounts_manage_only_their_units(store, two_units):
    accounts = Accounts(store, hasher=FAST_HASHER)
    with pytest.raises(Exception, match="đơn vị của mình"):
        accounts.create_account("tinh", TEST_PASSWORD, role="viewer", by=two_units["a183"])  # province-level
    with pytest.raises(Exception, match="đơn vị của mình"):
        accounts.create_account("vq2", TEST_PASSWORD, role="viewer", by=two_units["a183"], units=["184"])
    assert accounts.create_account("cl2", TEST_PASSWORD, role="viewer", by=two_units["a183"],
                                   units=["183"]).units == ("183",)
    with pytest.raises(UnitScopeError):
        store.add_unit("185", "Huyện Bắc Sơn", "Lạng Sơn", actor=two_units["a183"])
    with pytest.raises(Exception, match="Không có đơn vị"):
        accounts.create_account("x9", TEST_PASSWORD, role="viewer", by=two_units["admin"], units=["999"])
    changed = accounts.set_units("cl2", ["183", "184"], by=two_units["admin"])
    assert changed.units == ("183", "184")


def test_rollup_sums_equal_the_per_unit_figures(store, two_units):
    from milestones.rollup import province_total, unit_rollup
    from milestones.snapshot import compute_snapshot

    whole = compute_snapshot(store, AS_OF)
    table = unit_rollup(whole, store.units()).set_index("unit")
    assert list(table.index) == ["183", "184"]
    for code, account in (("183", two_units["o183"]), ("184", two_units["o184"])):
        own = compute_snapshot(store.scoped(account), AS_OF)
        row = table.loc[code]
        assert row["projects"] == len(own.projects)
        assert row["area_to_recover_m2"] == pytest.approx(own.projects["area_to_recover_m2"].sum())
        assert row["area_handed_over_m2"] == pytest.approx(own.projects["area_handed_over_m2"].sum())
        assert row["milestones"] == len(own.milestones)
        assert row["milestones_met"] == (own.milestones["status"] == "met").sum()
    total = province_total(table.reset_index())
    assert total["area_to_recover_m2"] == pytest.approx(whole.projects["area_to_recover_m2"].sum())
    assert total["projects"] == len(whole.projects) == 2
    expected = 100 * total["area_handed_over_m2"] / total["area_to_recover_m2"]
    assert total["percent_handed_over"] == pytest.approx(expected)


def test_cli_rollup_and_as(store, two_units, capsys):
    assert cli.main(["status", "--rollup", "--json", "--as-of", "2024-06-30"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [u["unit"] for u in doc["units"]] == ["183", "184"]
    assert doc["units"][1]["unit_name"] == "Huyện Văn Quan"
    assert doc["total"]["area_to_recover_m2"] == pytest.approx(sum(u["area_to_recover_m2"] for u in doc["units"]))
    assert cli.main(["status", "--rollup", "--as-of", "2024-06-30"]) == 0
    out = capsys.readouterr().out
    assert "Huyện Văn Quan [184]: 1 dự án" in out and "Tổng cộng: 2 dự án" in out
    assert cli.main(["status", "--json", "--as-of", "2024-06-30", "--as", "cb_vanquan"]) == 0
    assert [p["project_id"] for p in json.loads(capsys.readouterr().out)["projects"]] == ["CCN_HT1"]
    assert cli.main(["parcels", "--json", "--as-of", "2024-06-30", "--as", "cb_caoloc"]) == 0
    assert {p["project_id"] for p in json.loads(capsys.readouterr().out)["parcels"]} == {"QL4B"}
    assert cli.main(["units", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(u["unit_code"], u["projects"]) for u in listed] == [("183", 1), ("184", 1)]
    assert cli.main(["units", "assign", "CCN_HT1", "183", "--as", "qt_caoloc"]) == 1
    assert "đơn vị khác" in capsys.readouterr().err
    assert cli.main(["units", "assign", "CCN_HT1", "Huyện Cao Lộc", "--as", "quan_tri"]) == 0
    assert set(store.projects()["unit"]) == {"183"}


def test_migration_gives_an_old_store_its_unit(store, store_url, sources_dir):
    """A store at the revision before 0009 (no units) reopened: one unit, from store_meta ``default_unit``."""
    from store import open_store, schema

    make_account(store, "cu", "admin")
    with write_transaction(store.engine) as conn:
        rewind(conn, "0008")                          # the revision before units (0009)
        for statement in ("DELETE FROM store_meta WHERE key = 'default_unit'",
                          "INSERT INTO store_meta (key, value) VALUES ('default_unit', '186')",
                          "INSERT INTO store_meta (key, value) VALUES ('default_unit_name', 'Huyện Hữu Lũng')"):
            conn.execute(text(statement))
    store.close()
    reopened = open_store(store_url, sources_dir=sources_dir)
    try:
        with reopened.engine.connect() as conn:
            assert schema.current_revision(conn) == schema.HEAD_REVISION  # 0009 and every later one
        assert set(reopened.projects()["unit"]) == {"186"}
        assert reopened.units().to_dict("records") == [
            {"unit_code": "186", "name": "Huyện Hữu Lũng", "province": "Lạng Sơn"}]
        assert Accounts(reopened).get("cu").units == ()  # existing accounts: every unit
    finally:
        reopened.close()


# ---------------------------------------------------------------------------------------------- locks
def hold_unit_lock(store, units, started: threading.Event, release: threading.Event):
    with write_transaction(store.engine, units=units):
        started.set()
        release.wait(30)


def run_in_thread(fn, *args):
    done, box = threading.Event(), {}

    def target():
        try:
            box["result"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc
        done.set()

    threading.Thread(target=target, daemon=True).start()
    return done, box


def test_writers_of_different_units_proceed_together_same_unit_serialise(store, two_units):
    """PostGIS: a unit-183 transaction held open does not block a unit-184 upload, but blocks a unit-183
    upload and a store-wide write. GeoPackage: one lock per file, so every writer waits."""
    started, release = threading.Event(), threading.Event()
    holder, _ = run_in_thread(hold_unit_lock, store, ["183"], started, release)
    assert started.wait(10)
    try:
        other_done, other = run_in_thread(upload, store, two_units["o184"], "CCN_HT1", CCN_PARCEL, "khac-don-vi")
        if store.backend == "postgresql":
            assert other_done.wait(10), "a writer of another unit must not wait"
            assert other["result"].created
        else:
            assert not other_done.wait(1.5), "SQLite: one write lock for the whole file"
        same_done, same = run_in_thread(upload, store, two_units["o183"], "QL4B", QL4B_PARCEL, "cung-don-vi")
        wide_done, wide = run_in_thread(lambda: store.add_unit("185", "Huyện Bắc Sơn", "Lạng Sơn",
                                                               actor=two_units["admin"]))
        assert not same_done.wait(1.5)   # unit 183 waits for the holder
        assert not wide_done.wait(0.5)   # a store-wide write waits too
    finally:
        release.set()
    assert holder.wait(10) and same_done.wait(20) and wide_done.wait(20) and other_done.wait(20)
    assert "error" not in same and "error" not in wide and "error" not in other
    assert same["result"].created and other["result"].created
    assert set(store.units()["unit_code"]) == {"183", "184", "185"}


def test_a_file_with_rows_of_another_unit_is_refused_row_by_row(store, two_units, tmp_path):
    from ingest.importer import import_counts

    path = tmp_path / "hai_don_vi.csv"
    path.write_text("Dự án;Xã;Số tờ;Số thửa;Giai đoạn;Ngày\n"
                    "QL4B;Xã Gia Cát;12;103;Kiểm đếm;01/02/2024\n"
                    "CCN_HT1;Xã Hợp Thành;7;3;Thông báo thu hồi đất;02/02/2024\n", encoding="utf-8-sig")
    events_before = len(store.events())
    strict = import_counts(path, store, actor=two_units["o184"], today=date(2024, 7, 1))
    assert strict.status == "rejected" and len(store.events()) == events_before
    [problem] = strict.report.problems
    assert (problem.row, problem.column) == (2, "Dự án") and "đơn vị 183" in problem.message_vi
    lenient = import_counts(path, store, actor=two_units["o184"], skip_invalid=True, today=date(2024, 7, 1))
    assert (lenient.status, lenient.rows_committed) == ("committed", 1)
    assert set(store.events().query("upload_id == @lenient.upload_id")["project_id"]) == {"CCN_HT1"}


def test_a_unit_administrator_changes_only_his_units_milestones(store, two_units):
    from domain.roles import PermissionDeniedError
    from store.settings import Settings

    Settings(store).set("maker_checker", "off", actor=two_units["admin"])
    a183 = two_units["a183"]
    assert store.set_milestone("QL4B_100", {"target_percent": 90}, actor=a183, reason="KH huyện").executed
    with pytest.raises(PermissionDeniedError):
        store.set_milestone("CCN_HT1_50", {"target_percent": 40}, actor=a183, reason="không phải của huyện")
    with pytest.raises(PermissionDeniedError):
        store.set_rules("forecast_window_days: 30\n", actor=a183, reason="quy tắc chung")
    assert float(store.milestones().set_index("milestone_id").loc["CCN_HT1_50", "target_percent"]) == 50


def test_a_unit_administrator_rejects_only_his_units_proposals(store, two_units):
    from store.settings import Settings

    Settings(store).set("maker_checker", "on", actor=two_units["admin"])
    ccn = upload(store, two_units["o184"], "CCN_HT1", CCN_PARCEL, "ccn-p")
    ql4b = upload(store, two_units["o183"], "QL4B", QL4B_PARCEL, "ql4b-p")
    ccn_revert = store.revert_upload(ccn.upload_id, actor=two_units["admin"], reason="sai số")
    ql4b_revert = store.revert_upload(ql4b.upload_id, actor=two_units["admin"], reason="sai số")
    assert not ccn_revert.executed and not ql4b_revert.executed          # both wait for a checker
    a183 = two_units["a183"]
    with pytest.raises(PermissionDeniedError):                          # huyện Văn Quan's: not his to turn down
        store.reject_proposal(ccn_revert.proposal_id, actor=a183, reason="không đồng ý")
    store.reject_proposal(ql4b_revert.proposal_id, actor=a183, reason="số liệu đúng")
    status = store.proposals().set_index("proposal_id")["status"]
    assert status[ccn_revert.proposal_id] == "pending" and status[ql4b_revert.proposal_id] == "rejected"

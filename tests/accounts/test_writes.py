"""Every store write has an account, a role check below the view and one audit row; maker–checker (issue 9).

Both backends (the ``store`` fixture of this folder). Expected values come from the hand-made sources
of the store tests (tests/store/sources_fixture.py: six parcels, ten seed events, all parcels in
Phường Kỳ Lừa until a test moves CCN_HT1's to Xã Đồng Đăng).
"""
from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import pytest
from sources_fixture import PARCEL_IDS, SEED_EVENT_COUNT, make_parcels
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import cli
from domain.roles import PermissionDeniedError
from ingest.importer import import_counts
from store import AuditTrail, StoreError
from store.engine import write_transaction
from store.proposals import NO_REVIEW_NOTE, ApprovalRequiredError
from store.settings import Settings
from tests.support.actors import make_account

QL4B_PARCEL, CCN_PARCEL = PARCEL_IDS[2], PARCEL_IDS[3]


def events(parcel=QL4B_PARCEL, n=2, project="QL4B"):
    return pd.DataFrame({"kind": ["parcel"] * n, "project_id": [project] * n, "parcel_id": [parcel] * n,
                         "event": ["inventory", "plan_posted"][:n], "event_date": [date(2024, 2, 1 + i) for i in range(n)]})


def sha(tag: str) -> str:
    return hashlib.sha256(tag.encode()).hexdigest()


def audit_rows(store) -> pd.DataFrame:
    return AuditTrail(store).read()


def state(store) -> tuple:
    """Everything a refused write must leave as it was."""
    return (len(store.events(include_reverted=True)), len(store.uploads()), store.data_version()["layers"],
            len(audit_rows(store)), len(store.proposals()))


@pytest.fixture
def lan(store):
    """Administrator A (the maker)."""
    return make_account(store, "lan", "admin")


@pytest.fixture
def minh(store, lan):
    """Administrator B (the checker)."""
    return make_account(store, "minh", "admin")


@pytest.fixture
def solo(store, lan):
    """A one-person office: ``lan`` with maker–checker switched off."""
    Settings(store).set("maker_checker", "off", actor=lan)
    return lan


def only_new_audit_row(store, before: int) -> dict:
    rows = audit_rows(store)
    assert len(rows) == before + 1  # exactly one audit row for the write
    return rows.iloc[-1].to_dict()


# ------------------------------------------------------------------------------- one audit row per write
def test_upload_has_its_account_and_one_audit_row(store, lan):
    before = len(audit_rows(store))
    result = store.commit_upload(events(), actor=lan, file_name="xa.csv", file_sha256=sha("xa"), rows_read=2,
                                 client_address="cli:lan@may")
    row = only_new_audit_row(store, before)
    assert (row["account"], row["role"], row["action"], row["target"]) == ("lan", "admin", "upload_committed",
                                                                           f"upload:{result.upload_id}")
    assert row["before"] == {"events_counted": SEED_EVENT_COUNT}
    assert row["after"]["events_counted"] == SEED_EVENT_COUNT + 2 and row["after"]["file_sha256"] == sha("xa")
    assert row["client_address"] == "cli:lan@may"
    assert store.uploads().set_index("upload_id").loc[result.upload_id, "uploaded_by"] == "lan"
    store.commit_upload(events(), actor=lan, file_name="lai.csv", file_sha256=sha("xa"), rows_read=2)
    assert len(audit_rows(store)) == before + 1  # same content again: nothing written, nothing audited


def test_revert_replace_restore_each_leave_one_audit_row(store, solo):
    up = store.commit_upload(events(), actor=solo, file_name="a.csv", file_sha256=sha("a"), rows_read=2)
    before = len(audit_rows(store))
    outcome = store.revert_upload(up.upload_id, actor=solo, reason="nhập nhầm")
    row = only_new_audit_row(store, before)
    assert outcome.executed and outcome.proposal_id is None
    assert (row["account"], row["role"], row["action"], row["target"]) == ("lan", "admin", "upload_reverted",
                                                                           f"upload:{up.upload_id}")
    assert row["before"]["events_counted"] == SEED_EVENT_COUNT + 2 and row["after"]["events_counted"] == SEED_EVENT_COUNT
    assert row["after"]["review"]["note"] == NO_REVIEW_NOTE

    fewer = make_parcels().iloc[:4]
    version = store.replace_layer("parcels", fewer, actor=solo, report={"tep": "moi.gpkg"})
    row = only_new_audit_row(store, before + 1)
    assert (row["action"], row["target"]) == ("layer_replaced", "layer:parcels")
    assert row["before"] == {"parcels": {"version": 1, "features": 6}}
    assert {k: row["after"]["parcels"][k] for k in ("version", "features", "added", "removed")} == {
        "version": version, "features": 4, "added": 0, "removed": 2}
    assert row["after"]["review"]["note"] == NO_REVIEW_NOTE  # parcels removed without a second account

    restored = store.restore_layer("parcels", 1, actor=solo)
    row = only_new_audit_row(store, before + 2)
    assert restored.executed and len(store.parcels()) == 6
    assert (row["action"], row["target"], row["before"]["version"], row["after"]["version"],
            row["after"]["restored_from"]) == ("layer_restored", "layer:parcels", version, restored.result, 1)


def test_adding_parcels_needs_no_second_account(store, lan):
    moved = make_parcels()
    moved["owner_name"] = "đã sửa"
    assert store.replace_layer("parcels", moved, actor=lan, report={}) == 2  # maker–checker on, nothing removed
    row = audit_rows(store).iloc[-1]
    assert row["after"]["parcels"]["removed"] == 0 and "review" not in row["after"]


# ------------------------------------------------------------------------------- roles below the view
def test_viewer_cannot_upload_revert_or_import(store, lan, tmp_path):
    viewer = make_account(store, "xem", "viewer")
    before = state(store)
    with pytest.raises(PermissionDeniedError):
        store.commit_upload(events(), actor=viewer, file_name="x.csv", file_sha256=sha("x"), rows_read=2)
    with pytest.raises(PermissionDeniedError):
        store.revert_upload(1, actor=viewer)
    with pytest.raises(PermissionDeniedError):
        store.replace_layer("parcels", make_parcels(), actor=viewer, report={})
    with pytest.raises(PermissionDeniedError):
        store.restore_layer("parcels", 1, actor=viewer)
    path = tmp_path / "so_lieu.csv"
    path.write_text("Dự án;Xã;Số tờ;Số thửa;Giai đoạn;Ngày\nQL4B;Xã Gia Cát;12;103;Kiểm đếm;01/02/2024\n",
                    encoding="utf-8-sig")
    with pytest.raises(PermissionDeniedError):
        import_counts(path, store, actor=viewer, today=date(2024, 7, 1))
    with pytest.raises(PermissionDeniedError):
        Settings(store).set("maker_checker", "off", actor=viewer)
    assert state(store) == before


def test_disabled_account_is_refused_even_with_an_old_session_copy(store, lan):
    from store import Accounts
    from tests.support.actors import FAST_HASHER

    officer = make_account(store, "cb", "officer")
    Accounts(store, hasher=FAST_HASHER).disable("cb", by=lan)
    before = state(store)
    from domain.roles import AccountDisabledError

    with pytest.raises(AccountDisabledError):
        store.commit_upload(events(), actor=officer, file_name="x.csv", file_sha256=sha("x"), rows_read=2)
    assert state(store) == before


@pytest.fixture
def two_communes(store, lan):
    """CCN_HT1's parcels moved to Xã Đồng Đăng (QL4B's stay in Phường Kỳ Lừa); a commune officer of Kỳ Lừa."""
    parcels = store.parcels()
    parcels.loc[parcels["project_id"] == "CCN_HT1", "commune"] = "Xã Đồng Đăng"
    store.replace_layer("parcels", parcels, actor=lan, report={})
    return make_account(store, "xa_ky_lua", "commune_officer", communes=("Phường Kỳ Lừa",))


def test_commune_officer_mixed_upload_is_refused_row_by_row(store, two_communes, tmp_path):
    path = tmp_path / "hai_xa.csv"
    path.write_text("Dự án;Xã;Số tờ;Số thửa;Giai đoạn;Ngày\n"
                    "QL4B;Xã Gia Cát;12;103;Kiểm đếm;01/02/2024\n"
                    "CCN_HT1;Xã Hợp Thành;7;3;Thông báo thu hồi đất;02/02/2024\n"
                    "QL4B;Xã Gia Cát;12;102;Kiểm đếm;03/02/2024\n", encoding="utf-8-sig")
    before = state(store)
    strict = import_counts(path, store, actor=two_communes, today=date(2024, 7, 1))
    assert strict.status == "rejected" and state(store) == before
    [problem] = strict.report.problems
    assert (problem.row, problem.column) == (3, "Xã")
    assert "Phường Kỳ Lừa" in problem.message_vi and "Xã Đồng Đăng" in problem.message_vi
    # the upload page's preview checks the same rows against the parcels without their shapes
    from ingest.importer import restrict_to_communes, validate_file

    _, report = validate_file(path.read_bytes(), path.name, store)
    preview = restrict_to_communes(report, store.parcel_attributes(), two_communes)
    assert [(p.row, p.column, p.message_vi) for p in preview.problems] == [
        (problem.row, problem.column, problem.message_vi)]
    assert len(preview.events) == 2

    lenient = import_counts(path, store, actor=two_communes, skip_invalid=True, today=date(2024, 7, 1))
    assert (lenient.status, lenient.rows_committed) == ("committed", 2)
    landed = store.events().query("upload_id == @lenient.upload_id")
    assert sorted(landed["parcel_id"]) == sorted([PARCEL_IDS[2], PARCEL_IDS[1]])
    assert audit_rows(store).iloc[-1]["account"] == "xa_ky_lua"


def test_store_refuses_a_commune_officer_row_of_another_commune(store, two_communes):
    before = state(store)
    mixed = pd.concat([events(QL4B_PARCEL, 1), events(CCN_PARCEL, 1, "CCN_HT1")], ignore_index=True)
    with pytest.raises(PermissionDeniedError) as refused:
        store.commit_upload(mixed, actor=two_communes, file_name="x.csv", file_sha256=sha("x"), rows_read=2)
    assert refused.value.commune == "Xã Đồng Đăng"
    aggregate = pd.DataFrame({"kind": ["aggregate"], "project_id": ["CCN_HT1"], "event": ["handed_over"],
                              "event_date": [date(2024, 3, 1)], "area_m2": [100.0]})  # project-wide: both communes?
    with pytest.raises(PermissionDeniedError):
        store.commit_upload(aggregate, actor=two_communes, file_name="y.csv", file_sha256=sha("y"), rows_read=1)
    assert state(store) == before
    ok = store.commit_upload(events(QL4B_PARCEL, 1), actor=two_communes, file_name="z.csv", file_sha256=sha("z"),
                             rows_read=1)
    assert ok.created


# ------------------------------------------------------------------------------- maker–checker
def test_revert_waits_for_a_second_account(store, lan, minh):
    up = store.commit_upload(events(), actor=lan, file_name="a.csv", file_sha256=sha("a"), rows_read=2)
    counted = len(store.events())
    outcome = store.revert_upload(up.upload_id, actor=lan, reason="sai xã")
    assert not outcome.executed and outcome.proposal_id is not None
    assert len(store.events()) == counted  # nothing changed yet
    waiting = store.proposals("pending").set_index("proposal_id").loc[outcome.proposal_id]
    assert (waiting["action"], waiting["target"], waiting["proposed_by"]) == ("revert", f"upload:{up.upload_id}", "lan")
    assert audit_rows(store).iloc[-1][["account", "action"]].tolist() == ["lan", "proposal_created"]
    with pytest.raises(StoreError, match="đang chờ duyệt"):
        store.revert_upload(up.upload_id, actor=minh)  # one proposal per target
    with pytest.raises(StoreError, match="không tự duyệt"):
        store.confirm_proposal(outcome.proposal_id, actor=lan)
    assert len(store.events()) == counted

    before = len(audit_rows(store))
    done = store.confirm_proposal(outcome.proposal_id, actor=minh)
    assert done.executed and len(store.events()) == counted - 2  # the figures change only now
    row = only_new_audit_row(store, before)
    assert (row["account"], row["action"], row["after"]["review"]) == ("minh", "upload_reverted", {
        "maker_checker": "on", "proposal_id": outcome.proposal_id, "proposed_by": "lan", "confirmed_by": "minh"})
    decided = store.proposals().set_index("proposal_id").loc[outcome.proposal_id]
    assert (decided["status"], decided["decided_by"]) == ("confirmed", "minh")
    with pytest.raises(StoreError, match="không còn chờ duyệt"):
        store.confirm_proposal(outcome.proposal_id, actor=minh)


def test_officer_cannot_confirm_an_admin_revert(store, lan):
    officer = make_account(store, "cb", "officer")
    outcome = store.revert_upload(1, actor=lan)
    with pytest.raises(PermissionDeniedError):
        store.confirm_proposal(outcome.proposal_id, actor=officer)
    assert len(store.events()) == SEED_EVENT_COUNT


def test_reject_and_cancel(store, lan, minh):
    first = store.revert_upload(1, actor=lan, reason="thử")
    with pytest.raises(StoreError, match="lý do"):
        store.reject_proposal(first.proposal_id, actor=minh, reason=" ")
    store.reject_proposal(first.proposal_id, actor=minh, reason="số liệu đúng")
    assert audit_rows(store).iloc[-1][["account", "action"]].tolist() == ["minh", "proposal_rejected"]
    second = store.revert_upload(1, actor=lan)
    with pytest.raises(StoreError, match="Chỉ người đề xuất"):
        store.cancel_proposal(second.proposal_id, actor=minh)
    store.cancel_proposal(second.proposal_id, actor=lan)
    assert store.proposals().set_index("proposal_id")["status"].to_dict() == {
        first.proposal_id: "rejected", second.proposal_id: "cancelled"}
    assert len(store.events()) == SEED_EVENT_COUNT


def test_parcel_removing_replacement_is_proposed_with_its_layer(store, lan, minh):
    fewer = make_parcels().iloc[:4]
    before = state(store)
    with pytest.raises(ApprovalRequiredError):
        store.replace_layer("parcels", fewer, actor=lan, report={})
    assert state(store) == before
    outcome = store.submit_layers({"parcels": fewer}, actor=lan, report={"tep": "bot.gpkg"})
    assert not outcome.executed and len(store.parcels()) == 6
    payload = store.proposals().set_index("proposal_id").loc[outcome.proposal_id, "payload"]
    assert payload["changes"]["parcels"]["removed"] == 2 and payload["expected_versions"] == {"parcels": 1}
    done = store.confirm_proposal(outcome.proposal_id, actor=minh)
    assert done.result == {"parcels": 2}
    assert store.parcels()["parcel_id"].tolist() == PARCEL_IDS[:4]  # the layer that waited, exactly
    assert store.layer_versions("parcels").report.iloc[-1] == {"tep": "bot.gpkg"}
    assert not any(name.startswith("proposal_") for name in _tables(store))  # waiting table dropped


def test_confirmation_refused_when_the_layer_changed_since(store, lan, minh):
    proposed = store.submit_layers({"parcels": make_parcels().iloc[:3]}, actor=lan, report={})
    edited = make_parcels()
    edited["owner_name"] = "người khác sửa"
    store.replace_layer("parcels", edited, actor=minh, report={})  # nothing removed: runs at once
    with pytest.raises(StoreError, match="vừa được người khác thay"):
        store.confirm_proposal(proposed.proposal_id, actor=minh)
    assert len(store.parcels()) == 6 and set(store.parcels()["owner_name"]) == {"người khác sửa"}
    store.cancel_proposal(proposed.proposal_id, actor=lan)  # one waiting proposal per layer
    restore = store.restore_layer("parcels", 1, actor=lan)
    store.replace_layer("parcels", edited.assign(owner_name="lần nữa"), actor=minh, report={})
    with pytest.raises(StoreError, match="vừa được người khác thay"):
        store.confirm_proposal(restore.proposal_id, actor=minh)


def test_maker_checker_setting_is_admin_only_and_audited(store, lan):
    officer = make_account(store, "cb", "officer")
    assert Settings(store).get("maker_checker") == "on"  # the default
    with pytest.raises(PermissionDeniedError):
        Settings(store).set("maker_checker", "off", actor=officer)
    with pytest.raises(StoreError, match="chỉ nhận"):
        Settings(store).set("maker_checker", "tắt", actor=lan)
    Settings(store).set("maker_checker", "off", actor=lan)
    row = audit_rows(store).iloc[-1]
    assert (row["account"], row["action"], row["target"], row["before"], row["after"]) == (
        "lan", "setting_changed", "setting:maker_checker", {"maker_checker": "on"}, {"maker_checker": "off"})
    assert store.revert_upload(1, actor=lan).executed


# ------------------------------------------------------------------------------- the audit stays as written
def test_audit_cannot_be_changed_through_the_store(store, lan):
    store.commit_upload(events(), actor=lan, file_name="a.csv", file_sha256=sha("a"), rows_read=2)
    written = audit_rows(store)
    public = {name for obj in (store, AuditTrail(store), Settings(store)) for name in dir(obj) if not name.startswith("_")}
    assert not {n for n in public if any(w in n for w in ("delete", "update", "edit", "truncate"))}
    for statement in ("UPDATE audit_log SET account = 'ai_do'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), write_transaction(store.engine) as conn:
            conn.execute(text(statement))
    pd.testing.assert_frame_equal(audit_rows(store), written)


# ------------------------------------------------------------------------------- the CLI
def test_cli_revert_proposals_and_settings(store, lan, minh, capsys):
    assert cli.main(["revert", "1", "--as", "lan", "--reason", "sai"]) == 0
    assert "đề xuất số" in capsys.readouterr().out and len(store.events()) == SEED_EVENT_COUNT
    assert cli.main(["proposals", "list", "--json"]) == 0
    import json

    [waiting] = json.loads(capsys.readouterr().out)
    assert (waiting["action"], waiting["proposed_by"]) == ("revert", "lan")
    assert cli.main(["proposals", "confirm", str(waiting["proposal_id"]), "--as", "lan"]) == 1
    assert "không tự duyệt" in capsys.readouterr().err
    assert cli.main(["proposals", "confirm", str(waiting["proposal_id"]), "--as", "minh"]) == 0
    assert len(store.events()) == 0  # the seed upload held every event
    assert cli.main(["settings", "show"]) == 0 and "maker_checker = on" in capsys.readouterr().out
    assert cli.main(["settings", "set", "maker_checker", "off", "--as", "minh"]) == 0
    assert Settings(store).get("maker_checker") == "off"


def _tables(store) -> set[str]:
    from sqlalchemy import inspect

    from store.engine import read_connection

    with read_connection(store.engine) as conn:
        return set(inspect(conn).get_table_names())

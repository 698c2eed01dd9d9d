"""People-side registers in the store (issue 12), on both backends: round trip, idempotent re-import,
new versions of a row, revert, personal data by role, the audit row, lottery draws append-only."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import inspect

from domain.people import REGISTER_COLUMNS
from domain.roles import PermissionDeniedError
from store.engine import read_connection
from store.errors import StoreError
from store.registers import REGISTER_TABLE_NAMES
from tests.support.actors import make_account
from tests.support.stores import demo_store

SHA_A, SHA_B, SHA_C = "a" * 64, "b" * 64, "c" * 64


def _households(phone="0912345678"):
    return pd.DataFrame([
        {"household_id": "HD-1", "project_id": "P1", "name": "Nguyễn Văn A", "id_number": "012345678901",
         "phone": phone, "address": "Thôn 1", "commune": "Phường Kỳ Lừa", "parcel_keys": ("17", "175")},
        {"household_id": "HD-2", "project_id": "P1", "name": "Trần Thị B", "commune": "Phường Kỳ Lừa",
         "parcel_keys": ("263A",)},
    ])


def _audit_actions(store):
    from store import AuditTrail
    return list(AuditTrail(store).read()["action"])


def test_migration_tables_follow_the_contract(store):
    with read_connection(store.engine) as conn:
        inspector = inspect(conn)
        for register, table in REGISTER_TABLE_NAMES.items():
            names = [c["name"] for c in inspector.get_columns(table)]
            assert names == ["row_id", "upload_id", *REGISTER_COLUMNS[register]]


def test_round_trip_and_idempotent_reimport(store, actor):
    first = store.commit_register("households", _households(), actor=actor, file_name="ho.xlsx",
                                  file_sha256=SHA_A, rows_read=2, project_id="P1")
    assert first.created and first.rows_added == 2 and first.rows_changed == 0
    again = store.commit_register("households", _households(), actor=actor, file_name="ho-copy.xlsx",
                                  file_sha256=SHA_B, rows_read=2, project_id="P1")
    assert not again.created and again.upload_id == first.upload_id
    homes = store.register("households")
    assert sorted(homes["household_id"]) == ["HD-1", "HD-2"]
    assert "name" not in homes.columns and "phone" not in homes.columns
    assert homes.set_index("household_id").loc["HD-1", "parcel_keys"] == "17;175"
    assert _audit_actions(store).count("register_imported") == 1
    imports = store.register_imports()
    assert list(imports["rows_added"]) == [2] and not imports["reverted"].any()


def test_changed_row_is_a_new_version_and_revert_brings_back_the_old(store, actor):
    store.commit_register("households", _households(), actor=actor, file_name="a.csv", file_sha256=SHA_A,
                          rows_read=2)
    second = store.commit_register("households", _households(phone="0987654321"), actor=actor,
                                   file_name="b.csv", file_sha256=SHA_B, rows_read=2)
    assert second.created and (second.rows_added, second.rows_changed, second.rows_unchanged) == (0, 1, 1)
    phones = store.register("households", include_personal=True, actor=actor).set_index("household_id")["phone"]
    assert phones["HD-1"] == "0987654321"
    store.revert_upload(second.upload_id, actor=actor, reason="nhập nhầm")
    phones = store.register("households", include_personal=True, actor=actor).set_index("household_id")["phone"]
    assert phones["HD-1"] == "0912345678"
    assert store.register_imports()["reverted"].tolist() == [False, True]


def test_personal_data_only_for_read_personal(store, actor):
    store.commit_register("households", _households(), actor=actor, file_name="a.csv", file_sha256=SHA_A,
                          rows_read=2)
    viewer = make_account(store, "lanh_dao", "viewer")
    with pytest.raises(PermissionDeniedError):
        store.register("households", include_personal=True, actor=viewer)
    with pytest.raises(StoreError):
        store.register("households", include_personal=True)
    officer = make_account(store, "can_bo", "officer")
    names = store.register("households", include_personal=True, actor=officer)["name"]
    assert set(names) == {"Nguyễn Văn A", "Trần Thị B"}


def test_refused_import_writes_nothing(store, actor):
    viewer = make_account(store, "lanh_dao", "viewer")
    uploads_before = len(store.uploads())
    with pytest.raises(PermissionDeniedError):
        store.commit_register("households", _households(), actor=viewer, file_name="a.csv", file_sha256=SHA_A,
                              rows_read=2)
    other = make_account(store, "can_bo_xa", "commune_officer", communes=("Xã Đồng Đăng",))
    with pytest.raises(PermissionDeniedError):
        store.commit_register("households", _households(), actor=other, file_name="a.csv", file_sha256=SHA_A,
                              rows_read=2)
    repeated = pd.concat([_households(), _households()])
    with pytest.raises(StoreError, match="trùng khoá"):
        store.commit_register("households", repeated, actor=actor, file_name="a.csv", file_sha256=SHA_A,
                              rows_read=4)
    assert len(store.uploads()) == uploads_before and store.register("households").empty


def test_plans_dates_and_numbers_round_trip(store, actor):
    plans = pd.DataFrame([{"household_id": "HD-1", "project_id": "P1", "compensation_vnd": 1.5e8,
                           "support_vnd": 2e7, "resettlement_vnd": 0.0, "decision_number": "123/QĐ-UBND",
                           "decision_date": date(2025, 3, 1), "effective_date": date(2025, 3, 5),
                           "resettlement_entitlement": "A"}])
    store.commit_register("plans", plans, actor=actor, file_name="pa.xlsx", file_sha256=SHA_C, rows_read=1)
    back = store.register("plans", project_id="P1").iloc[0]
    assert back["effective_date"] == date(2025, 3, 5) and back["compensation_vnd"] == 1.5e8
    assert store.register("plans", project_id="OTHER").empty


def test_matrix_events_share_the_upload_and_revert(store, actor):
    parcel = store.parcels().iloc[0]
    events = pd.DataFrame([{"kind": "parcel", "project_id": parcel["project_id"], "parcel_id": parcel["parcel_id"],
                            "event": "notice", "event_date": date(2020, 1, 2), "note": "C001"}])
    counted = len(store.events())
    result = store.commit_register("households", _households(), actor=actor, file_name="m.xlsx", file_sha256=SHA_A,
                                   rows_read=2, events=events)
    assert result.events_added == 1 and len(store.events()) == counted + 1
    assert int(store.events()["upload_id"].iloc[-1]) == result.upload_id
    store.revert_upload(result.upload_id, actor=actor)
    assert len(store.events()) == counted and store.register("households").empty


def test_lottery_draws_are_append_only(store, actor):
    result = {"seed": "12-34", "eligible_sha256": "e" * 64, "lots_sha256": "f" * 64, "inputs_sha256": "1" * 64,
              "draw_sha256": "2" * 64, "households": 1,
              "assignments": [{"household_id": "HD-1", "lot_id": "K1/1", "lot_class": "A"}]}
    first = store.record_lottery_draw("K1", result, actor=actor)
    with pytest.raises(StoreError, match="lý do"):
        store.record_lottery_draw("K1", result, actor=actor)
    second = store.record_lottery_draw("K1", {**result, "seed": "99"}, actor=actor, reason="hộ vắng mặt")
    draws = store.lottery_draws("K1")
    assert list(draws["draw_id"]) == [first, second]
    assert draws["supersedes_draw_id"].iloc[1] == first and draws["reason"].iloc[1] == "hộ vắng mặt"
    assert draws["result"].iloc[0]["assignments"][0]["lot_id"] == "K1/1"
    assert _audit_actions(store).count("lottery_drawn") == 2
    viewer = make_account(store, "lanh_dao", "viewer")
    with pytest.raises(PermissionDeniedError):
        store.record_lottery_draw("K2", result, actor=viewer)


def test_commune_officer_imports_his_own_households(store, actor):
    own = make_account(store, "can_bo_ky_lua", "commune_officer", communes=("Phường Kỳ Lừa",))
    assert store.commit_register("households", _households(), actor=own, file_name="a.csv", file_sha256=SHA_A,
                                 rows_read=2).created
    lots = pd.DataFrame([{"area_id": "K1", "lot_number": "1", "lot_class": "A", "area_m2": 100.0,
                          "price_vnd": 1e6, "status": "available"}])
    with pytest.raises(PermissionDeniedError):  # lots belong to no commune: not a commune officer's
        store.commit_register("lots", lots, actor=own, file_name="l.csv", file_sha256=SHA_B, rows_read=1)


def test_bundled_registers_are_seeded_once(store_url, sources_dir, tmp_path):
    import shutil
    from pathlib import Path

    from store.people_seed import REGISTER_SOURCE_FILES

    bundled = Path(__file__).resolve().parents[2] / "data" / "sources"
    mine = tmp_path / "sources"
    shutil.copytree(sources_dir, mine)
    for name in REGISTER_SOURCE_FILES.values():
        shutil.copyfile(bundled / name, mine / name)
    store = demo_store(store_url, sources_dir=mine)
    try:
        for register, name in REGISTER_SOURCE_FILES.items():
            expected = pd.read_csv(mine / name, encoding="utf-8-sig")
            assert len(store.register(register)) == len(expected), register
        letters = store.register("complaints")
        assert letters["received_date"].map(type).eq(date).all()
        assert (letters["status"] == "resolved").sum() == letters["closed_date"].notna().sum()
        assert store.resettlement_areas().geometry.area.iloc[0] > 0
        assert set(store.uploads()["source"]) == {"seed"}
    finally:
        store.close()
    again = demo_store(store_url)   # opens the store made above
    assert len(again.register_imports()) == len(REGISTER_SOURCE_FILES)  # not seeded twice
    again.close()


def test_a_draw_changes_the_data_version(store, actor):
    before = store.data_version()
    store.record_lottery_draw("K9", {"seed": "1", "eligible_sha256": "e" * 64, "lots_sha256": "f" * 64,
                                     "inputs_sha256": "1" * 64, "draw_sha256": "2" * 64, "assignments": []},
                              actor=actor)
    after = store.data_version()
    assert after["last_draw_id"] == before["last_draw_id"] + 1 and after["last_upload_id"] == before["last_upload_id"]

"""What the lists show to an account (Decree 13/2023: file names and entries of other communes and units are not
theirs): the import kind of register imports (migration 0017), register and field-count imports scoped by commune
and unit, proposals and audit entries by unit; on both backends.

The fixture store's parcels are all in «Phường Kỳ Lừa»; its projects QL4B (unit 183) and CCN_HT1 (moved to unit
184 by :func:`units`).
"""
from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import pytest

from domain.roles import PermissionDeniedError
from ingest.register_import import import_register
from store import Accounts, AuditTrail, StoreError
from store.engine import read_connection, write_transaction
from tests.support.actors import FAST_HASHER, TEST_PASSWORD, make_account
from tests.support.migrations import rewind

KY_LUA, DONG_KINH = "Phường Kỳ Lừa", "Xã Đồng Đăng"
QL4B_PARCEL = "QL4B/Xã Gia Cát/12/101"


def _sha(tag: str) -> str:
    return hashlib.sha256(tag.encode()).hexdigest()


def _households(store, actor, commune: str, tag: str, project: str = "QL4B"):
    rows = pd.DataFrame({"household_id": [f"{tag}-1", f"{tag}-2"], "project_id": project, "name": ["A", "B"],
                         "commune": commune})
    return store.commit_register("households", rows, actor=actor, file_name=f"{tag}.csv", file_sha256=_sha(tag),
                                 rows_read=2, project_id=project)


def _counts(store, actor, tag: str, *, commune: str | None = None, parcel: str | None = QL4B_PARCEL,
            project: str = "QL4B"):
    """A one-row field count: a parcel event, or an aggregate report of ``commune``."""
    row = ({"kind": "parcel", "parcel_id": parcel} if commune is None else
           {"kind": "aggregate", "commune": commune, "area_m2": 10.0})
    frame = pd.DataFrame([{**row, "project_id": project, "event": "inventory" if commune is None else "handed_over",
                           "event_date": "2024-05-01"}])
    return store.commit_upload(frame, actor=actor, file_name=f"{tag}.csv", file_sha256=_sha(tag), rows_read=1)


@pytest.fixture
def officers(store, actor):
    """A commune officer of Kỳ Lừa, one of Đồng Đăng (the communes layer has both), and the administrator."""
    return {"admin": actor,
            "ky_lua": make_account(store, "cb_kylua", "commune_officer", communes=(KY_LUA,)),
            "dong_kinh": make_account(store, "cb_dongkinh", "commune_officer", communes=(DONG_KINH,))}


@pytest.fixture
def units(store, actor):
    """Unit 184 owning CCN_HT1; an officer and an administrator of unit 183, an administrator of 184."""
    store.add_unit("184", "Huyện Văn Quan", "Lạng Sơn", actor=actor)
    projects = store.projects()
    projects.loc[projects["project_id"] == "CCN_HT1", "unit"] = "184"
    store.replace_layer("projects", projects, actor=actor, report={})
    accounts = Accounts(store, hasher=FAST_HASHER)
    make = lambda name, role, unit: accounts.create_account(name, TEST_PASSWORD, role=role, by=actor,  # noqa: E731
                                                             units=[unit])
    return {"admin": actor, "o183": make("cb_caoloc", "officer", "183"), "a183": make("qt_caoloc", "admin", "183"),
            "a184": make("qt_vanquan", "admin", "184")}


# ---------------------------------------------------------------------------------------------- the import kind
def test_the_import_kind_is_recorded(store, actor):
    """A matrix is recorded in the households register, yet listed as a matrix; every kind as itself."""
    from tests.people.matrix_builder import build_matrix

    _households(store, actor, KY_LUA, "ho")
    data, _ = build_matrix(12)
    matrix = import_register(data, store, kind="matrix", project_id="QL4B", actor=actor, file_name="bang.xlsx",
                             today=date(2025, 12, 1))
    assert matrix.status == "committed"
    imports = store.register_imports().set_index("file_name")
    assert imports.loc["bang.xlsx", "register"] == "households"
    assert imports.loc["bang.xlsx", "kind"] == "matrix" and imports.loc["ho.csv", "kind"] == "households"
    audit = AuditTrail(store).read()
    assert audit[audit["action"] == "register_imported"]["after"].map(lambda a: a["kind"]).tolist() == [
        "households", "matrix"]


def test_a_kind_that_does_not_write_the_register_is_refused(store, actor):
    rows = pd.DataFrame({"household_id": ["H"], "project_id": "QL4B", "commune": KY_LUA})
    assert store.commit_register("procedure", pd.DataFrame({"project_id": ["QL4B"], "step_code": ["C001"]}),
                                 actor=actor, file_name="b.csv", file_sha256=_sha("b"), rows_read=1).created
    assert store.register_imports()["kind"].tolist() == ["procedure"]  # a register taken directly: its own name
    before = len(store.uploads())
    for kind in ("matrix_x", "plans"):
        with pytest.raises(StoreError, match="Loại nhập sổ"):
            store.commit_register("households", rows, actor=actor, file_name="h.csv", file_sha256=_sha(kind),
                                  rows_read=1, kind=kind)
    assert len(store.uploads()) == before


def test_migration_0017_backfills_the_kind_from_what_the_imports_wrote(store, actor, store_url):
    """A 0016 store reopened: a matrix (staged households, events, steps) → matrix, a households list →
    households, plans → plans, an import that wrote nothing telling → unknown."""
    from sqlalchemy import inspect, text

    from store import open_store, schema
    from tests.people.matrix_builder import build_matrix

    _households(store, actor, KY_LUA, "ho")
    plans = pd.DataFrame({"household_id": ["ho-1"], "project_id": "QL4B", "decision_number": "QĐ-1"})
    store.commit_register("plans", plans, actor=actor, file_name="pa.csv", file_sha256=_sha("pa"), rows_read=1)
    data, _ = build_matrix(12)
    assert import_register(data, store, kind="matrix", project_id="QL4B", actor=actor, file_name="bang.xlsx",
                           today=date(2025, 12, 1)).status == "committed"
    # a matrix of which only the households rows (staged) are known: still a matrix
    staged = pd.DataFrame({"household_id": ["S-1"], "project_id": "QL4B", "commune": KY_LUA, "stage": "paid"})
    store.commit_register("households", staged, actor=actor, file_name="chi_ho.xlsx", file_sha256=_sha("st"),
                          rows_read=1, kind="matrix")
    with write_transaction(store.engine) as conn:
        rewind(conn, "0016")
        # an import whose rows are gone from every register cannot be told
        conn.execute(text("UPDATE register_imports SET register = 'somewhere' WHERE upload_id = "
                          "(SELECT upload_id FROM uploads WHERE file_name = 'pa.csv')"))
    with read_connection(store.engine) as conn:
        assert "kind" not in {c["name"] for c in inspect(conn).get_columns("register_imports")}
    store.close()
    reopened = open_store(store_url)
    try:
        with reopened.engine.connect() as conn:
            assert schema.current_revision(conn) == schema.HEAD_REVISION == "0017"
        kinds = dict(zip(reopened.register_imports()["file_name"], reopened.register_imports()["kind"]))
        assert kinds == {"ho.csv": "households", "pa.csv": "unknown", "bang.xlsx": "matrix",
                         "chi_ho.xlsx": "matrix"}
    finally:
        reopened.close()


def test_migration_0017_same_name_registers(store, actor, store_url):
    from sqlalchemy import text

    from store import open_store

    plans = pd.DataFrame({"household_id": ["H-1"], "project_id": "QL4B", "decision_number": "QĐ-1"})
    store.commit_register("plans", plans, actor=actor, file_name="pa.csv", file_sha256=_sha("pa"), rows_read=1)
    steps = pd.DataFrame({"project_id": ["QL4B"], "step_code": ["C001"]})
    store.commit_register("procedure", steps, actor=actor, file_name="b.csv", file_sha256=_sha("b"), rows_read=1)
    with write_transaction(store.engine) as conn:
        rewind(conn, "0016")
        assert [r[0] for r in conn.execute(text("SELECT register FROM register_imports ORDER BY upload_id"))] == [
            "plans", "procedure"]
    store.close()
    reopened = open_store(store_url)
    try:
        assert reopened.register_imports()["kind"].tolist() == ["plans", "procedure"]
    finally:
        reopened.close()


# ---------------------------------------------------------------------------------------------- communes
def test_a_commune_officer_lists_his_communes_imports_only(store, officers):
    admin = officers["admin"]
    ours = _households(store, admin, KY_LUA, "ky_lua_ho")
    theirs = _households(store, admin, DONG_KINH, "dong_kinh_ho")
    both = store.commit_register("households", pd.DataFrame({
        "household_id": ["M-1", "M-2"], "project_id": "QL4B", "commune": [KY_LUA, DONG_KINH]}), actor=admin,
        file_name="ca_hai.csv", file_sha256=_sha("both"), rows_read=2, project_id="QL4B")
    lots = pd.DataFrame({"area_id": ["K1"], "lot_number": ["1"], "lot_class": ["A"]})
    undecided = store.commit_register("lots", lots, actor=admin, file_name="lo.csv", file_sha256=_sha("lo"),
                                      rows_read=1, project_id="QL4B")
    own = _households(store, officers["ky_lua"], KY_LUA, "tu_nhap")

    def listed(account):
        return set(store.register_imports(account=account)["upload_id"])

    assert listed(officers["ky_lua"]) == {ours.upload_id, own.upload_id}
    assert listed(officers["dong_kinh"]) == {theirs.upload_id}
    assert listed(admin) == listed(None) == {ours.upload_id, theirs.upload_id, both.upload_id,
                                             undecided.upload_id, own.upload_id}
    # the same rule for the uploads list (register imports are uploads too), reverts following their upload
    store.revert_upload(theirs.upload_id, actor=admin, reason="nhầm")
    seen = store.uploads_for(officers["dong_kinh"])
    assert set(seen["upload_id"]) - {theirs.upload_id} == set(seen.loc[seen["source"] == "revert", "upload_id"])
    assert len(seen) == 2
    assert not set(store.uploads_for(officers["ky_lua"])["file_name"]) & {"dong_kinh_ho.csv", "ca_hai.csv"}


def test_a_commune_officer_lists_field_counts_of_his_communes(store, officers):
    admin = officers["admin"]
    parcel = _counts(store, admin, "thua")                       # a parcel of Kỳ Lừa
    other = _counts(store, admin, "tong_hop", commune=DONG_KINH)  # an aggregate report of Đồng Đăng
    seen = set(store.uploads_for(officers["ky_lua"])["upload_id"])
    assert parcel.upload_id in seen and other.upload_id not in seen
    assert other.upload_id in set(store.uploads_for(officers["dong_kinh"])["upload_id"])
    assert parcel.upload_id not in set(store.uploads_for(officers["dong_kinh"])["upload_id"])
    assert len(store.uploads_for(admin)) == len(store.uploads())


# ---------------------------------------------------------------------------------------------- units
def test_a_unit_account_lists_its_units_imports_only(store, units):
    admin = units["admin"]
    ql4b = _households(store, admin, KY_LUA, "ql4b", project="QL4B")
    ccn = _households(store, admin, KY_LUA, "ccn", project="CCN_HT1")
    count_ccn = _counts(store, admin, "dem_ccn", parcel="CCN_HT1/Xã Hợp Thành/7/1", project="CCN_HT1")
    view = store.scoped(units["o183"])
    assert set(view.register_imports()["upload_id"]) == {ql4b.upload_id}
    assert set(store.scoped(units["a184"]).register_imports()["upload_id"]) == {ccn.upload_id}
    assert count_ccn.upload_id not in set(view.uploads()["upload_id"])
    assert count_ccn.upload_id in set(store.scoped(units["a184"]).uploads()["upload_id"])
    # the seed load spans both units: a province-level record
    seed = set(store.uploads().loc[store.uploads()["source"] == "seed", "upload_id"])
    assert seed and not seed & set(view.uploads()["upload_id"])


def test_proposals_and_audit_of_a_unit_account(store, units):
    """Unit 183's administrator sees 183's revert proposal and audit entries, not 184's, nor entries of no unit."""
    from store.settings import Settings

    admin = units["admin"]
    ql4b = _households(store, admin, KY_LUA, "ql4b", project="QL4B")
    ccn = _households(store, admin, KY_LUA, "ccn", project="CCN_HT1")
    Settings(store).set("maker_checker", "on", actor=admin)
    p183 = store.revert_upload(ql4b.upload_id, actor=admin, reason="nhầm").proposal_id
    p184 = store.revert_upload(ccn.upload_id, actor=admin, reason="nhầm").proposal_id
    rules = store.set_rules("stale_counts_days: 45\n", actor=admin, reason="thử").proposal_id
    assert rules is not None

    a183, a184 = units["a183"], units["a184"]
    assert list(store.scoped(a183).proposals()["proposal_id"]) == [p183]
    assert list(store.proposals("pending", account=a184)["proposal_id"]) == [p184]
    assert list(store.proposals(account=admin)["proposal_id"]) == [p183, p184, rules]
    # seeing follows deciding: 184's proposal is refused to 183's administrator
    with pytest.raises(PermissionDeniedError):
        store.reject_proposal(p184, actor=a183, reason="không")
    store.reject_proposal(p183, actor=a183, reason="không")
    assert list(store.proposals(account=a183)["proposal_id"]) == [p183]

    entries = AuditTrail(store).read(account=a183)
    assert set(entries["target"]) == {f"upload:{ql4b.upload_id}", f"proposal:{p183}"}
    everything = AuditTrail(store).read(account=admin)
    assert len(everything) == len(AuditTrail(store).read())
    assert {"account:qt_caoloc", "setting:maker_checker"} <= set(everything["target"])
    assert set(AuditTrail(store).read(account=a184)["target"]) == {f"upload:{ccn.upload_id}", f"proposal:{p184}"}
    with pytest.raises(PermissionDeniedError):
        AuditTrail(store).read(account=units["o183"])  # an officer does not read the audit



def test_a_unit_administrators_layer_replacement_is_in_his_audit_list(store, units):
    """A unit-scoped account's parcels replacement (only his unit's rows may change) names his unit in its entry:
    it is in his audit list, not in the other unit's; the province administrator's own replacement names none."""
    admin, a183, a184 = units["admin"], units["a183"], units["a184"]
    parcels = store.parcels()
    mine = parcels.copy()
    mine.loc[mine["project_id"] == "QL4B", "area_to_recover_m2"] += 1.0
    store.replace_layer("parcels", mine, actor=a183, report={})
    store.replace_layer("parcels", parcels, actor=admin, report={})
    entries = AuditTrail(store).read()
    replaced = entries[entries["action"] == "layer_replaced"].tail(2)
    assert [(row["account"], row["after"].get("units")) for row in replaced.to_dict("records")] == [
        ("qt_caoloc", ["183"]), (admin.username, None)]
    theirs = AuditTrail(store).read(account=a183)
    assert list(theirs[theirs["action"] == "layer_replaced"]["account"]) == ["qt_caoloc"]
    assert "layer_replaced" not in set(AuditTrail(store).read(account=a184)["action"])

# ---------------------------------------------------------------------------------------------- the CLI
def test_cli_lists_what_the_account_may_see(store, officers, units, capsys):
    """``uploads --as``, ``proposals list --as`` and ``audit --as`` read through the same rule; ``uploads``
    labels each line by its kind (a matrix is not «Danh sách hộ»)."""
    import json

    import cli
    from store.settings import Settings

    admin = units["admin"]
    ours = _households(store, admin, KY_LUA, "ql4b_ky_lua", project="QL4B")
    theirs = _households(store, admin, DONG_KINH, "ccn_dong_dang", project="CCN_HT1")
    Settings(store).set("maker_checker", "on", actor=admin)
    p184 = store.revert_upload(theirs.upload_id, actor=admin, reason="nhầm").proposal_id

    assert cli.main(["uploads", "--json", "--as", "cb_kylua"]) == 0
    seen = json.loads(capsys.readouterr().out)
    assert [u["upload_id"] for u in seen if u["source"] != "seed"] == [ours.upload_id]
    assert {u["import_kind"] for u in seen if u["upload_id"] == ours.upload_id} == {"households"}
    assert cli.main(["uploads", "--as", "cb_dongkinh"]) == 0
    out = capsys.readouterr().out
    assert "ccn_dong_dang.csv" in out and "ql4b_ky_lua.csv" not in out and "Danh sách hộ" in out
    assert cli.main(["uploads"]) == 0
    out = capsys.readouterr().out
    assert "ccn_dong_dang.csv" in out and "ql4b_ky_lua.csv" in out and "Số liệu kiểm đếm" in out

    assert cli.main(["proposals", "list", "--json", "--as", "qt_caoloc"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert cli.main(["proposals", "list", "--json", "--as", "qt_vanquan"]) == 0
    assert [p["proposal_id"] for p in json.loads(capsys.readouterr().out)] == [p184]
    assert cli.main(["proposals", "list", "--json"]) == 0
    assert [p["proposal_id"] for p in json.loads(capsys.readouterr().out)] == [p184]

    assert cli.main(["audit", "--json", "--as", "qt_caoloc"]) == 0
    assert {e["target"] for e in json.loads(capsys.readouterr().out)} == {f"upload:{ours.upload_id}"}
    assert cli.main(["audit", "--json", "--as", admin.username]) == 0
    assert len(json.loads(capsys.readouterr().out)) == len(AuditTrail(store).read())


def test_the_communes_of_uploads_equal_the_row_by_row_rule(store, actor):
    """The SQL join of parcel events to their parcel's commune gives what :func:`store.ledger.event_communes` gives
    row by row, for every kind: a known parcel, an unknown parcel (undecided), a chainage range, an aggregate with
    and without its commune, mixed in one upload and alone."""
    from store.visibility import event_communes_by_upload, event_communes_by_upload_reference

    rows = [{"kind": "parcel", "project_id": "QL4B", "parcel_id": QL4B_PARCEL, "event": "inventory"},
            {"kind": "parcel", "project_id": "QL4B", "parcel_id": "QL4B/Xã Gia Cát/12/999", "event": "inventory"},
            {"kind": "chainage_range", "project_id": "QL4B", "chainage_from_m": 3500.0, "chainage_to_m": 3700.0,
             "event": "notice"},
            {"kind": "chainage_range", "project_id": "QL4B", "chainage_from_m": 9000.0, "chainage_to_m": 9100.0,
             "event": "notice"},
            {"kind": "aggregate", "project_id": "QL4B", "commune": DONG_KINH, "event": "handed_over", "area_m2": 5.0},
            {"kind": "aggregate", "project_id": "CCN_HT1", "event": "handed_over", "area_m2": 7.0}]
    for i, row in enumerate(rows):
        frame = pd.DataFrame([{**row, "event_date": "2024-05-02"}])
        store.commit_upload(frame, actor=actor, file_name=f"r{i}.csv", file_sha256=_sha(f"r{i}"), rows_read=1)
    mixed = pd.DataFrame([{**row, "event_date": "2024-05-03"} for row in rows])
    store.commit_upload(mixed, actor=actor, file_name="tron.csv", file_sha256=_sha("tron"), rows_read=len(rows))
    with read_connection(store.engine) as conn:
        fast, reference = event_communes_by_upload(conn), event_communes_by_upload_reference(conn)
    assert fast == reference
    assert len(fast) == len(rows) + 2  # the seed upload, one per row, the mixed one
    assert {None, KY_LUA, DONG_KINH} <= set().union(*fast.values())  # undecided, a parcel's, an aggregate's

"""import_counts against a real store (GeoPackage file and PostGIS): valid rows or none, explicitly."""
from __future__ import annotations

import pandas as pd
import pytest

from ingest.importer import import_counts, sha256_bytes
from tests.ingest.fixture_data import CORPUS, TODAY

GOOD = CORPUS / "good_utf8_bom_semicolon.csv"
BAD = CORPUS / "bad_rows_every_error.csv"


def _state(store):
    """Everything an import may touch, to compare before/after."""
    ev = store.events(include_reverted=True)
    up = store.uploads()[["upload_id", "file_sha256", "rows_read", "rows_committed", "source"]]
    return ev, up


def _assert_unchanged(store, before):
    ev, up = _state(store)
    pd.testing.assert_frame_equal(ev, before[0])
    pd.testing.assert_frame_equal(up, before[1])


def test_good_file_commits_once_and_reupload_adds_nothing(store, actor):
    before = _state(store)
    result = import_counts(GOOD, store, actor=actor, today=TODAY)
    assert (result.status, result.exit_code, result.rows_committed) == ("committed", 0, 4)
    events = store.events()
    new = events[events["upload_id"] == result.upload_id]
    assert sorted(new["parcel_id"]) == sorted(["QL4B/06112/12/6", "QL4B/06112/12/7", "QL4B/06136/3/16",
                                               "CT_HNCL/06115/8/44"])
    assert len(events) == len(before[0]) + 4
    upload = store.uploads().set_index("upload_id").loc[result.upload_id]
    assert upload["file_sha256"] == sha256_bytes(GOOD.read_bytes())
    assert (upload["rows_read"], upload["rows_committed"], upload["source"]) == (4, 4, "cli")
    assert upload["uploaded_by"] == "quan_tri"

    snapshot = _state(store)
    again = import_counts(GOOD, store, actor=actor, today=TODAY)
    assert (again.status, again.exit_code, again.upload_id) == ("nothing_new", 0, result.upload_id)
    _assert_unchanged(store, snapshot)


def test_file_with_any_invalid_row_is_rejected_whole(store, actor):
    before = _state(store)
    result = import_counts(BAD, store, actor=actor, today=TODAY)
    assert (result.status, result.exit_code) == ("rejected", 1)
    assert result.report.rows_valid == 1 and result.report.rows_invalid == 18
    _assert_unchanged(store, before)


def test_skip_invalid_commits_only_the_valid_rows(store, actor):
    result = import_counts(BAD, store, skip_invalid=True, actor=actor, today=TODAY)
    assert (result.status, result.rows_committed) == ("committed", 1)
    new = store.events().query("upload_id == @result.upload_id")
    assert list(new["parcel_id"]) == ["QL4B/06136/4/101"]  # row 12, the only valid one
    assert store.uploads().set_index("upload_id").loc[result.upload_id, "rows_read"] == 19


def test_dry_run_writes_nothing(sqlite_store, actor):
    before = _state(sqlite_store)
    result = import_counts(GOOD, sqlite_store, dry_run=True, today=TODAY, actor=actor)
    assert (result.status, result.exit_code) == ("dry_run", 0)
    _assert_unchanged(sqlite_store, before)
    assert import_counts(BAD, sqlite_store, dry_run=True, today=TODAY, actor=actor).exit_code == 1


@pytest.mark.parametrize("name", ["bad_png_renamed.csv", "bad_empty.csv", "bad_binary.csv", "bad_header_only.csv"])
def test_refused_files_write_nothing(sqlite_store, actor, name):
    before = _state(sqlite_store)
    result = import_counts(CORPUS / name, sqlite_store, today=TODAY, actor=actor)
    assert result.status in ("refused", "rejected") and result.exit_code == 1
    assert result.message_vi
    _assert_unchanged(sqlite_store, before)


def test_the_ledger_feeds_the_backwards_check(sqlite_store, actor, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("Xã;Số tờ;Số thửa;Giai đoạn;Ngày\nHợp Thành;12;6;Bàn giao mặt bằng;01/06/2024\n", encoding="utf-8")
    assert import_counts(first, sqlite_store, today=TODAY, actor=actor).status == "committed"
    second = tmp_path / "b.csv"
    second.write_text("Xã;Số tờ;Số thửa;Giai đoạn;Ngày\nHợp Thành;12;6;Kiểm đếm;10/06/2024\n", encoding="utf-8")
    result = import_counts(second, sqlite_store, today=TODAY, actor=actor)
    assert result.status == "rejected" and "lùi giai đoạn" in result.report.problems[0].message_vi


def test_revert_then_same_file_lands_again(sqlite_store, actor):
    first = import_counts(GOOD, sqlite_store, today=TODAY, actor=actor)
    sqlite_store.revert_upload(first.upload_id, actor=actor, reason="nhập nhầm")
    assert first.upload_id not in set(sqlite_store.events()["upload_id"])
    again = import_counts(GOOD, sqlite_store, today=TODAY, actor=actor)
    assert again.status == "committed" and again.upload_id != first.upload_id


def test_bytes_upload_with_file_name(sqlite_store, actor):
    result = import_counts(GOOD.read_bytes(), sqlite_store, file_name="so_lieu.csv", source="upload", today=TODAY, actor=actor)
    assert result.status == "committed"
    upload = sqlite_store.uploads().set_index("upload_id").loc[result.upload_id]
    assert (upload["file_name"], upload["source"]) == ("so_lieu.csv", "upload")


def test_missing_file_is_refused(sqlite_store, actor, tmp_path):
    result = import_counts(tmp_path / "khong_co.csv", sqlite_store, today=TODAY, actor=actor)
    assert result.status == "refused" and "Không đọc được" in result.message_vi


@pytest.mark.parametrize("name", ["good_utf8_bom_semicolon.csv", "bad_rows_every_error.csv"])
def test_validation_without_the_shapes_reports_as_with_them(store, name):
    """The importer reads the parcels without their geometry (:meth:`Store.parcel_attributes`): the report is
    the one :func:`validate` gives with the whole parcels layer (events, problems with their Vietnamese
    messages, notes), and the geometry is never read."""
    from ingest.importer import validate_file
    from ingest.read import read_table
    from ingest.validate import validate

    data = (CORPUS / name).read_bytes()
    with_shapes = validate(read_table(data, name), store.parcels(), store.projects(), store.events(), TODAY)
    parcels_read = store.parcels
    store.parcels = lambda *a, **k: pytest.fail("the importer decoded the parcel shapes")
    try:
        _, report = validate_file(data, name, store, today=TODAY)
    finally:
        store.parcels = parcels_read
    pd.testing.assert_frame_equal(report.events, with_shapes.events)
    assert [str(p) for p in report.problems] == [str(p) for p in with_shapes.problems]
    assert report.notes == with_shapes.notes and report.rows_read == with_shapes.rows_read
    assert bool(report.problems) == ("bad" in name)


def test_parcel_attributes_are_the_parcels_without_geometry(store):
    """Same rows, columns (all but ``geometry``), order and dtypes as :meth:`Store.parcels`; the scoped
    reader gives those of its units' projects."""
    from store.scoped import ScopedStore

    expected = pd.DataFrame(store.parcels().drop(columns="geometry"))
    got = store.parcel_attributes()
    assert type(got) is pd.DataFrame and len(got) > 0
    pd.testing.assert_frame_equal(got, expected)
    scoped = ScopedStore(store, ["183"])
    pd.testing.assert_frame_equal(scoped.parcel_attributes(), pd.DataFrame(scoped.parcels().drop(columns="geometry")))
    assert ScopedStore(store, ["no_such_unit"]).parcel_attributes().empty

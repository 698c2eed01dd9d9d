"""Content-level duplicates (issue 10): a re-saved file adds no event, on both backends.

The files are real bytes as Excel writes them (CRLF/LF, UTF-8 with BOM, cp1258 with combining tones,
UTF-16 "Unicode Text" with tabs, XLSX, another column order); the amount paid is read back through
the one computation the views use (:func:`milestones.parcel_state.parcel_stages`).
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from ingest.importer import import_counts
from milestones.parcel_state import parcel_stages
from store import AuditTrail
from tests.ingest.fixture_data import TODAY
from tests.ingest.make_corpus import GOOD_ROWS_VI, H, cp1258_bytes

ROOT = Path(__file__).resolve().parents[2]

PAY_HEADER = ["Dự án", "Xã", "Số tờ", "Số thửa", "Giai đoạn", "Ngày", "Số tiền (đồng)", "Ghi chú"]
PAY_ROW = ["QL4B", "Xã Hợp Thành", "12", "6", "Chi trả", "10/06/2024", "100.000.000", "Chi trả đợt 1"]
PAID_PARCEL = "QL4B/06112/12/6"


def _csv(rows, sep=";", line_end="\r\n") -> str:
    return "".join(sep.join(r) + line_end for r in rows)


def _utf8_bom(rows, **kw) -> bytes:
    return _csv(rows, **kw).encode("utf-8-sig")


def _xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _reordered(rows):
    order = list(reversed(range(len(rows[0]))))
    return [[r[i] for i in order] for r in rows]


GOOD = [H, *GOOD_ROWS_VI]

#: The same four rows re-saved as Vietnamese Excel does (name → (file name, bytes)).
RESAVED = {
    "lf": ("dem.csv", _utf8_bom(GOOD, line_end="\n")),
    "column_order": ("dem.csv", _utf8_bom(_reordered(GOOD))),
    "cp1258": ("dem.csv", cp1258_bytes(_csv(GOOD))),
    "utf16_tab": ("dem.txt", b"\xff\xfe" + _csv(GOOD, sep="\t").encode("utf-16-le")),
    "xlsx": ("dem.xlsx", _xlsx(GOOD)),
    "other_note": ("dem.csv", _utf8_bom([H, *[r[:-1] + ["ghi chú khác"] for r in GOOD_ROWS_VI]])),
}


def _paid(store) -> float:
    stages = parcel_stages(store.parcels(), store.events(), TODAY).set_index("parcel_id")
    return float(stages.loc[PAID_PARCEL, "amount_paid_vnd"])


def test_a_payment_in_a_file_resaved_with_other_line_endings_is_not_paid_twice(store, actor, monkeypatch):
    first = import_counts(_utf8_bom([PAY_HEADER, PAY_ROW]), store, actor=actor, file_name="chi_tra.csv", today=TODAY)
    assert first.status == "committed" and _paid(store) == 100_000_000
    n_events = len(store.events())

    again = import_counts(_utf8_bom([PAY_HEADER, PAY_ROW], line_end="\n"), store, actor=actor,
                          file_name="chi_tra.csv", today=TODAY)
    assert (again.status, again.exit_code, again.rows_committed) == ("nothing_new", 0, 0)
    assert [(d.row, d.where, d.upload_id) for d in again.duplicates] == [(2, "ledger", first.upload_id)]
    assert "dòng 2" in again.message_vi and f"lần tải {first.upload_id}" in again.message_vi
    assert len(store.events()) == n_events and _paid(store) == 100_000_000

    # the reported bug, with the check taken out: the same bytes are paid twice
    from store import uploads
    from store.errors import Duplicates

    monkeypatch.setattr(uploads, "find_duplicates", lambda *a, **k: Duplicates())
    doubled = import_counts(_utf8_bom([PAY_HEADER, PAY_ROW], line_end="\n"), store, actor=actor,
                            file_name="chi_tra.csv", today=TODAY)
    assert doubled.status == "committed" and _paid(store) == 200_000_000


def test_a_resaved_file_adds_no_event(store, actor):
    first = import_counts(_utf8_bom(GOOD), store, actor=actor, file_name="dem.csv", today=TODAY)
    assert (first.status, first.rows_committed) == ("committed", 4)
    events = store.events()
    for variant, (name, data) in RESAVED.items():
        result = import_counts(data, store, actor=actor, file_name=name, today=TODAY)
        assert result.report is not None and result.report.rows_valid == 4, (variant, result.message_vi)
        assert result.status == "nothing_new", (variant, result.message_vi)
        assert sorted(d.row for d in result.duplicates) == [2, 3, 4, 5], variant
        assert {d.upload_id for d in result.duplicates} == {first.upload_id}, variant
        assert len(store.events()) == len(events), variant
    assert len(store.uploads()) == len(store.uploads().query("upload_id <= @first.upload_id"))


def test_only_the_new_rows_of_a_file_are_committed_and_the_others_are_named(store, actor):
    first = import_counts(_utf8_bom([H, *GOOD_ROWS_VI[:2]]), store, actor=actor, file_name="a.csv", today=TODAY)
    both = import_counts(_utf8_bom([H, GOOD_ROWS_VI[2], GOOD_ROWS_VI[0], GOOD_ROWS_VI[3], GOOD_ROWS_VI[1]]),
                         store, actor=actor, file_name="b.csv", today=TODAY)
    assert (both.status, both.rows_committed) == ("committed", 2)
    assert [(d.row, d.upload_id) for d in both.duplicates] == [(3, first.upload_id), (5, first.upload_id)]
    assert "Không ghi lại 2 dòng đã có trong sổ số liệu" in both.message_vi
    new = store.events().query("upload_id == @both.upload_id")
    assert sorted(new["parcel_id"]) == ["CT_HNCL/06115/8/44", "QL4B/06136/3/16"]
    assert store.uploads().set_index("upload_id").loc[both.upload_id, "rows_committed"] == 2
    assert both.to_dict()["duplicates"]["in_ledger"] == 2
    audit = AuditTrail(store).read()
    after = audit[audit["target"] == f"upload:{both.upload_id}"].iloc[0]["after"]
    assert (after["duplicates_in_ledger"], after["duplicates_in_file"], after["rows_committed"]) == (2, 0, 2)


def test_a_row_repeated_in_one_file_is_committed_once(store, actor):
    rows = [H, GOOD_ROWS_VI[0], GOOD_ROWS_VI[1], GOOD_ROWS_VI[0][:-1] + ["ghi lại"]]
    result = import_counts(_utf8_bom(rows), store, actor=actor, file_name="lap.csv", today=TODAY)
    assert (result.status, result.rows_committed) == ("committed", 2)
    assert [(d.row, d.where, d.same_as_row) for d in result.duplicates] == [(4, "file", 2)]
    assert "lặp lại một dòng trước trong tệp" in result.message_vi
    assert len(store.events().query("upload_id == @result.upload_id")) == 2


def test_a_revert_frees_the_rows_for_a_later_upload(store, actor):
    first = import_counts(_utf8_bom([PAY_HEADER, PAY_ROW]), store, actor=actor, file_name="c.csv", today=TODAY)
    assert store.revert_upload(first.upload_id, actor=actor, reason="sai tệp").executed
    assert _paid(store) == 0
    again = import_counts(_utf8_bom([PAY_HEADER, PAY_ROW], line_end="\n"), store, actor=actor,
                          file_name="c.csv", today=TODAY)
    assert (again.status, again.rows_committed, again.duplicates) == ("committed", 1, [])
    assert _paid(store) == 100_000_000


def test_a_dry_run_names_the_duplicates_and_writes_nothing(sqlite_store, actor):
    first = import_counts(_utf8_bom(GOOD), sqlite_store, actor=actor, file_name="dem.csv", today=TODAY)
    n_events, n_uploads = len(sqlite_store.events()), len(sqlite_store.uploads())
    dry = import_counts(RESAVED["cp1258"][1], sqlite_store, dry_run=True, actor=actor, file_name="dem.csv",
                        today=TODAY)
    assert dry.status == "dry_run" and len(dry.duplicates) == 4
    assert f"4 dòng đã có trong sổ số liệu (trùng nội dung với lần tải {first.upload_id})" in dry.message_vi
    assert (len(sqlite_store.events()), len(sqlite_store.uploads())) == (n_events, n_uploads)


def test_cli_import_counts_says_how_many_and_where(store, store_url, sources_dir, actor, tmp_path):
    first = import_counts(_utf8_bom(GOOD), store, actor=actor, file_name="dem.csv", today=TODAY)
    path = tmp_path / "dem_luu_lai.csv"
    rows = [H, *GOOD_ROWS_VI, ["QL4B", "Gia Cát", "3", "16", "", "", "Chi trả", "20/06/2024", "", "1.250.000.000", ""]]
    path.write_bytes(_utf8_bom(rows, line_end="\n"))
    env = {"DATABASE_URL": store_url, "GPMB_SOURCES_DIR": str(sources_dir), "PYTHONPATH": str(ROOT),
           "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "import-counts", str(path), "--as", actor.username,
                          "--json"], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["status"] == "committed" and report["rows_committed"] == 1
    assert report["duplicates"]["in_ledger"] == 4 and report["duplicates"]["in_file"] == 0
    assert [d["row"] for d in report["duplicates"]["rows"]] == [2, 3, 4, 5]
    assert {d["upload_id"] for d in report["duplicates"]["rows"]} == {first.upload_id}

    path.write_bytes(_utf8_bom(rows))  # saved again (CRLF): other bytes, nothing new
    text_out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "import-counts", str(path), "--as",
                               actor.username], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert text_out.returncode == 0, text_out.stderr
    assert "Mọi dòng hợp lệ của tệp đã có trong sổ số liệu" in text_out.stdout
    assert "Dòng 6: trùng nội dung với số liệu đã ghi" in text_out.stdout


@pytest.mark.parametrize("variant", ["lf", "utf16_tab"])
def test_a_reverted_resaved_file_then_the_original_again(sqlite_store, actor, variant):
    """The byte check and the content check agree after a revert: the original bytes commit again."""
    name, data = RESAVED[variant]
    first = import_counts(data, sqlite_store, actor=actor, file_name=name, today=TODAY)
    assert sqlite_store.revert_upload(first.upload_id, actor=actor).executed
    original = import_counts(_utf8_bom(GOOD), sqlite_store, actor=actor, file_name="dem.csv", today=TODAY)
    assert (original.status, original.rows_committed) == ("committed", 4)

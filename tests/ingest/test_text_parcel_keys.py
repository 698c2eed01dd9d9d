"""Field counts naming parcels by text keys (issue 12): ``tờ 12 thửa 263a`` is the parcel ``263A``.

On small tables (validate) and through ``import_counts`` into a real store on both backends whose parcels
layer carries ``263A``, ``263B``, ``389B-2`` beside numeric keys.
"""
from __future__ import annotations

import pandas as pd
import pytest

from ingest.importer import import_counts
from ingest.validate import validate
from tests.ingest.fixture_data import TODAY, make_parcels, make_projects
from tests.support.actors import office_admin

SPLIT = ("263", "263A", "263B", "389B-2")   # a parcel 263 split after the survey, and a part of 389B


def _parcels_with_split() -> pd.DataFrame:
    base = make_parcels()
    first = base.iloc[0]   # QL4B, Xã Hợp Thành (06112), sheet 12
    extra = [{**first.to_dict(), "parcel_id": f"QL4B/06112/12/{key}", "parcel_number": key,
              "area_to_recover_m2": 100.0} for key in SPLIT]
    out = pd.concat([base.assign(parcel_number=base["parcel_number"].astype(str)), pd.DataFrame(extra)],
                    ignore_index=True)
    return out


def _validate(rows: list[dict]):
    frame = pd.DataFrame(rows, dtype=object)
    frame.index = pd.Index(range(2, 2 + len(rows)), name="row")
    return validate(frame, _parcels_with_split(), make_projects(), None, TODAY)


def _row(number, sheet="12") -> dict:
    return {"commune": "Xã Hợp Thành", "map_sheet": sheet, "parcel_number": number, "event": "Kiểm đếm",
            "event_date": "01/03/2024"}


@pytest.mark.parametrize(("written", "key"), [("263a", "263A"), ("263A", "263A"), (" 263 b ", "263B"),
                                               ("389b-2", "389B-2"), ("263", "263"), (263, "263"), (263.0, "263"),
                                               ("0263", "263"), ("6", "6"), (6, "6")])
def test_a_written_parcel_number_finds_its_parcel(written, key):
    report = _validate([_row(written)])
    assert report.problems == []
    assert list(report.events["parcel_id"]) == [f"QL4B/06112/12/{key}"]


def test_a_bad_parcel_number_is_reported_by_row_and_column_in_vietnamese():
    report = _validate([_row("263A"), _row("263AB"), _row("12.5")])
    assert list(report.events.index) == [2]
    bad = {p.row: p for p in report.problems}
    assert set(bad) == {3, 4}
    assert all(p.column == "Số thửa" for p in bad.values())
    assert "«263AB»" in bad[3].message_vi and "không hợp lệ" in bad[3].message_vi


def test_an_unknown_suffixed_parcel_suggests_its_siblings():
    report = _validate([_row("263c")])
    message = report.problems[0].message_vi
    assert "không có thửa tờ 12 thửa 263C" in message
    assert "gần nhất: tờ 12 thửa 263, tờ 12 thửa 263A, tờ 12 thửa 263B" in message


def _store_with_split(store):
    parcels = store.parcels()
    parcels["parcel_number"] = parcels["parcel_number"].astype(object)
    first = parcels[parcels["parcel_id"] == "QL4B/06112/12/5"].iloc[0]
    extra = parcels.iloc[[0] * len(SPLIT)].copy()
    for col in ("project_id", "commune", "commune_former", "commune_code", "map_sheet"):
        extra[col] = first[col]
    extra["geometry"] = first.geometry
    extra["parcel_number"] = [k.lower() for k in SPLIT]       # the layer written in lower case: stored canonical
    extra["parcel_id"] = [f"QL4B/06112/12/{k}" for k in SPLIT]
    store.replace_layer("parcels", pd.concat([parcels, extra]), actor=office_admin(store), report={"nguon": "test"})


def test_a_field_count_csv_naming_text_keys_lands(store):
    _store_with_split(store)
    assert set(SPLIT) <= set(store.parcels()["parcel_number"])
    csv = ("Dự án;Xã;Số tờ;Số thửa;Giai đoạn;Ngày\n"
           "QL4B;Xã Hợp Thành;12;263a;Kiểm đếm;01/03/2024\n"
           "QL4B;Hợp Thành;12;389B-2;Thông báo thu hồi đất;02/03/2024\n"
           "QL4B;Xã Hợp Thành;012;0263;Kiểm đếm;03/03/2024\n").encode("utf-8-sig")
    result = import_counts(csv, store, actor=office_admin(store), file_name="dem.csv", today=TODAY)
    assert (result.status, result.rows_committed) == ("committed", 3), result.problems
    new = store.events().query("upload_id == @result.upload_id")
    assert sorted(new["parcel_id"]) == ["QL4B/06112/12/263", "QL4B/06112/12/263A", "QL4B/06112/12/389B-2"]

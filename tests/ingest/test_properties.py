"""Property tests (hypothesis): generated files with malformed rows, imported into a real SQLite store.

Each generated row is either valid by construction or carries exactly one known mistake; every row
names a different parcel, so rows cannot interact (no duplicates, no going backwards). Properties:
the reported invalid rows are exactly the malformed ones; valid rows land exactly once; invalid rows
never land; the store is unchanged when the file is rejected; the same file again adds nothing.
"""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.stages import EVENT_CODES
from ingest.importer import import_counts
from ingest.read import read_table
from ingest.validate import validate
from tests.ingest.fixture_data import (
    CORPUS,
    TODAY,
    make_ledger,
    make_parcels,
    make_projects,
)
from tests.support.actors import office_admin
from tests.support.stores import copy_store_file
from vocab.labels import EVENT_LABELS_VI

PARCELS = make_parcels()
PROJECT_START = {r.project_id: r.start_date for r in make_projects().itertuples()}
# Parcels with no ledger history (3/15 has 'paid' in the seed ledger).
POOL = [r for r in PARCELS.itertuples() if r.parcel_id != "QL4B/06136/3/15"]
MUTATIONS = ("unknown_parcel", "bad_stage", "future", "before_start", "negative_amount", "non_numeric_area",
             "area_too_big", "unknown_commune", "bad_date", "missing_sheet")
HEADER = ["Dự án", "Xã", "Số tờ", "Số thửa", "Giai đoạn", "Ngày", "Diện tích (m²)", "Số tiền (đồng)", "Ghi chú"]


def _vi_number(x: float) -> str:
    return f"{x:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")


@st.composite
def rows(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    chosen = draw(st.permutations(range(len(POOL))))[:n]
    out = []
    for i in chosen:
        p = POOL[i]
        mutation = draw(st.one_of(st.none(), st.sampled_from(MUTATIONS)))
        code = draw(st.sampled_from(EVENT_CODES))
        stage_text = draw(st.sampled_from([code, EVENT_LABELS_VI[code], EVENT_LABELS_VI[code].upper()]))
        start = PROJECT_START[p.project_id]
        day = start + timedelta(days=draw(st.integers(0, (TODAY - start).days)))
        area = draw(st.one_of(st.none(), st.floats(0, p.area_to_recover_m2, allow_nan=False).map(lambda a: round(a, 1))))
        amount = draw(st.one_of(st.none(), st.integers(0, 5_000_000_000)))
        row = {"Dự án": draw(st.sampled_from(["", p.project_id])), "Xã": p.commune_former,
               "Số tờ": str(p.map_sheet), "Số thửa": str(p.parcel_number), "Giai đoạn": stage_text,
               "Ngày": day.strftime("%d/%m/%Y"), "Diện tích (m²)": "" if area is None else _vi_number(area),
               "Số tiền (đồng)": "" if amount is None else f"{amount:,}".replace(",", "."),
               "Ghi chú": draw(st.sampled_from(["", "=1+1", "<b>x</b>", "Hộ ông Lò Văn Páo"]))}
        if mutation == "unknown_parcel":
            row["Số thửa"] = str(9000 + p.parcel_number)
        elif mutation == "bad_stage":
            row["Giai đoạn"] = draw(st.sampled_from(["Đã xong", "abc", "Chưa triển khai"]))
        elif mutation == "future":
            row["Ngày"] = (TODAY + timedelta(days=draw(st.integers(1, 400)))).strftime("%d/%m/%Y")
        elif mutation == "before_start":
            row["Ngày"] = (start - timedelta(days=draw(st.integers(1, 400)))).strftime("%d/%m/%Y")
        elif mutation == "negative_amount":
            row["Số tiền (đồng)"] = "-" + f"{draw(st.integers(1, 10**9)):,}".replace(",", ".")
        elif mutation == "non_numeric_area":
            row["Diện tích (m²)"] = draw(st.sampled_from(["nhiều", "12a", "--5", "1,2,3,4"]))
        elif mutation == "area_too_big":
            row["Diện tích (m²)"] = _vi_number(p.area_to_recover_m2 + draw(st.integers(1, 10_000)))
        elif mutation == "unknown_commune":
            row["Xã"] = "Xã Không Có Thật"
        elif mutation == "bad_date":
            row["Ngày"] = draw(st.sampled_from(["32/13/2024", "hôm qua", "2024/99/01"]))
        elif mutation == "missing_sheet":
            row["Số tờ"] = ""
        out.append((row, p.parcel_id, mutation))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    return out, encoding, sep


def _file_bytes(generated, encoding, sep) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row, _, _ in generated:
        writer.writerow([row[h] for h in HEADER])
    return buf.getvalue().encode(encoding)


@pytest.fixture(scope="module")
def seeded_store_file(tmp_path_factory):
    """One seeded GeoPackage store; each example works on a fresh copy of it."""
    from tests.ingest.fixture_data import write_sources
    from tests.support.stores import seed_store_file

    return seed_store_file(tmp_path_factory.mktemp("prop"), write_sources, name="seeded.gpkg")


@settings(max_examples=60, deadline=None)
@given(rows())
def test_invalid_rows_are_exactly_the_malformed_ones(case):
    generated, encoding, sep = case
    table = read_table(_file_bytes(generated, encoding, sep))
    report = validate(table, PARCELS, make_projects(), make_ledger(), TODAY)
    expected_bad = [i + 2 for i, (_, _, m) in enumerate(generated) if m]
    assert report.invalid_rows == expected_bad
    assert list(report.events.index) == [i + 2 for i, (_, _, m) in enumerate(generated) if not m]
    assert list(report.events["parcel_id"]) == [pid for _, pid, m in generated if not m]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=rows())
def test_valid_rows_land_exactly_once_and_rejection_changes_nothing(case, seeded_store_file, tmp_path_factory):
    from tests.support.stores import demo_store

    seeded, sources = seeded_store_file
    store = demo_store(copy_store_file(seeded, tmp_path_factory.mktemp("ex")), sources_dir=sources)
    actor = office_admin(store)
    try:
        generated, encoding, sep = case
        data = _file_bytes(generated, encoding, sep)
        valid_ids = [pid for _, pid, m in generated if not m]
        any_bad = len(valid_ids) < len(generated)
        before_events, before_uploads = store.events(include_reverted=True), store.uploads()

        strict = import_counts(data, store, file_name="f.csv", today=TODAY, actor=actor)
        if any_bad:
            assert strict.status == "rejected"
            pd.testing.assert_frame_equal(store.events(include_reverted=True), before_events)
            pd.testing.assert_frame_equal(store.uploads(), before_uploads)
            lenient = import_counts(data, store, file_name="f.csv", skip_invalid=True, today=TODAY, actor=actor)
        else:
            lenient = strict
        events = store.events()
        if valid_ids:
            assert lenient.status == "committed"
            landed = events[events["upload_id"] == lenient.upload_id]
            assert sorted(landed["parcel_id"]) == sorted(valid_ids)  # every valid row, once
        else:
            assert lenient.status == "rejected"
        bad_ids = {pid for _, pid, m in generated if m}
        assert not (set(events["parcel_id"].dropna()) - set(before_events["parcel_id"].dropna())) & bad_ids
        after = store.events(include_reverted=True)
        again = import_counts(data, store, file_name="f.csv", skip_invalid=True, today=TODAY, actor=actor)
        assert again.status in ("nothing_new", "rejected")
        pd.testing.assert_frame_equal(store.events(include_reverted=True), after)
    finally:
        store.close()


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.binary(max_size=3000),
    st.text(alphabet=st.sampled_from(list("Số thửaXã;,\t\n\r\"=<>ĐđạKm+0123456789 ")), max_size=600).map(str.encode),
    st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=200).map(lambda b: "Xã;Số tờ;Số thửa;Giai đoạn;Ngày\n".encode("utf-16") + b),
))
def test_any_bytes_give_a_table_or_a_vietnamese_refusal(data):
    _table_or_refusal(data)


_XLSX = (CORPUS / "good_title_two_row_header.xlsx").read_bytes()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_XLSX) - 1), st.integers(0, 255)), min_size=1, max_size=8),
       st.integers(len(_XLSX) // 3, len(_XLSX)))
def test_corrupted_xlsx_gives_a_table_or_a_vietnamese_refusal(flips, keep):
    data = bytearray(_XLSX[:keep])
    for pos, byte in flips:
        if pos < len(data):
            data[pos] = byte
    _table_or_refusal(bytes(data))


def _table_or_refusal(data: bytes) -> None:
    from ingest.read import IngestError

    try:
        table = read_table(data)
    except IngestError as exc:
        assert exc.message_vi and exc.message_vi[0].isupper()
        return
    report = validate(table, PARCELS, make_projects(), make_ledger(), TODAY)  # never raises either
    assert report.rows_read == len(table.data)
    assert report.rows_valid + report.rows_invalid == report.rows_read

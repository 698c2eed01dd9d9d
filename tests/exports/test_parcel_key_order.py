"""Parcel numbers are text keys in every parcel table: numeric order (17 < 175 < 263 < 263A < 389B-2), and in
the XLSX parcel sheet a pure number is a number cell, a suffixed key a text cell."""
from __future__ import annotations

import dataclasses
import io

import openpyxl
import pandas as pd

from exports.excel import export_xlsx
from exports.report_table import parcel_table
from vocab.headers import PARCEL_HEADERS_VI

MIXED = ["263A", "17", "389B-2", "175", "263", "263B", "9"]
ORDERED = ["9", "17", "175", "263", "263A", "263B", "389B-2"]


def test_the_parcel_list_sorts_numerically_not_lexically():
    parcels = pd.DataFrame({"project_id": "P", "commune_former": "Xã A", "map_sheet": 1, "parcel_number": MIXED,
                            "area_to_recover_m2": 1.0})
    table = parcel_table(parcels, columns=("map_sheet", "parcel_number"))
    cells = table[PARCEL_HEADERS_VI["parcel_number"]].tolist()
    assert [str(c) for c in cells] == ORDERED
    assert [type(c) for c in cells] == [int, int, int, int, str, str, str]   # pure numbers stay numbers


def test_the_sheet_comes_before_the_number():
    parcels = pd.DataFrame({"project_id": "P", "commune_former": "Xã A", "map_sheet": [2, 1, 1],
                            "parcel_number": ["1", "20A", "3"], "area_to_recover_m2": 1.0})
    table = parcel_table(parcels, columns=("map_sheet", "parcel_number"))
    assert table.values.tolist() == [[1, 3], [1, "20A"], [2, 1]]


def test_xlsx_parcel_sheet_numbers_and_suffixed_keys(snap, fake_store):
    parcels = snap.parcels.copy()
    mine = parcels.index[parcels["project_id"] == "QL4B"][: len(MIXED)]
    parcels["parcel_number"] = parcels["parcel_number"].astype(str).astype(object)
    parcels.loc[mine, "parcel_number"] = MIXED
    parcels.loc[mine, "map_sheet"] = 999   # a sheet of their own
    parcels.loc[mine, "commune_former"] = "Xã Hợp Thành"
    wb = openpyxl.load_workbook(io.BytesIO(export_xlsx(dataclasses.replace(snap, parcels=parcels), fake_store)))
    ws = wb["Thửa đất"]
    header = [c.value for c in ws[5]]
    col = header.index(PARCEL_HEADERS_VI["parcel_number"])
    sheet = header.index(PARCEL_HEADERS_VI["map_sheet"])
    former = header.index(PARCEL_HEADERS_VI["commune_former"])
    rows = [r for r in ws.iter_rows(min_row=6) if r[sheet].value == 999 and r[former].value == "Xã Hợp Thành"]
    values = [r[col].value for r in rows]
    assert [str(v) for v in values] == ORDERED
    kinds = {str(r[col].value): r[col].data_type for r in rows}
    assert kinds["263"] == "n" and kinds["263A"] == "s" and kinds["389B-2"] == "s"

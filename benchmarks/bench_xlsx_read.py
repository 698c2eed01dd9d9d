"""Reading a field-count XLSX upload: ours (python-calamine, :func:`ingest.read.read_table`) against the
anchor named in issue 13 (the same ``read_table`` with openpyxl in read-only mode as its value reader,
as it was before).

    python benchmarks/bench_xlsx_read.py [--rows 100000] [--runs 3]

The workbook: two title rows, the template's header, ``rows`` parcel events (text parcel fields,
Vietnamese-formatted numbers as text and as numbers, real Excel dates), written with XlsxWriter. Runs
alternate (ours, anchor, ours, …); medians, their ratio and the load average are printed.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import xlsxwriter

import ingest.read
from ingest.headers import CANONICAL_HEADERS
from ingest.read import read_table

HEADER = ["STT", *(CANONICAL_HEADERS[k] for k in ("project", "commune", "map_sheet", "parcel_number", "event",
                                                  "event_date", "area_m2", "households", "amount_vnd", "note"))]
EVENTS = ["Thông báo thu hồi đất", "Kiểm đếm", "Niêm yết phương án", "Phê duyệt phương án / QĐ thu hồi", "Chi trả"]


def workbook(rows: int) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True})
    ws = wb.add_worksheet("Số liệu")
    dates = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["SỐ LIỆU KIỂM ĐẾM, CHI TRẢ"])
    ws.write_row(1, 0, ["Dự án QL4B – Xã Hợp Thành"])
    ws.write_row(2, 0, HEADER)
    start = date(2023, 1, 2)
    for i in range(rows):
        r = i + 3
        ws.write_row(r, 0, [i + 1, "QL4B", "Xã Hợp Thành", i // 200 + 1, i % 200 + 1, EVENTS[i % 5]])
        ws.write_datetime(r, 6, __import__("datetime").datetime.combine(start + timedelta(days=i % 400),
                                                                         __import__("datetime").time()), dates)
        ws.write_row(r, 7, [f"{600 + i % 97},5", 1, 100_000_000 if i % 5 == 4 else None, ""])
    wb.close()
    return buf.getvalue()


def ours(data: bytes) -> int:
    return len(read_table(data, "so_lieu.xlsx").data)


def openpyxl_sheets(data: bytes) -> dict[str, list[list[object]]]:
    """The values as the reader got them before python-calamine: openpyxl read-only, values only."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def anchor(data: bytes) -> int:
    """The same :func:`read_table` with openpyxl as its value reader (main before issue 13)."""
    calamine = ingest.read._calamine_sheets
    ingest.read._calamine_sheets = openpyxl_sheets
    try:
        return len(read_table(data, "so_lieu.xlsx").data)
    finally:
        ingest.read._calamine_sheets = calamine


def timed(fn, data) -> tuple[float, int]:
    t0 = time.perf_counter()
    n = fn(data)
    return time.perf_counter() - t0, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    data = workbook(args.rows)
    print(f"XLSX {args.rows:,} rows, {len(data) / 1e6:.1f} MB; load average {os.getloadavg()[0]:.2f}")
    times = {"ours (read_table, python-calamine)": [], "anchor (read_table, openpyxl read-only)": []}
    for _ in range(args.runs):
        for (name, fn) in zip(times, (ours, anchor)):
            t, n = timed(fn, data)
            assert n == args.rows, (name, n)
            times[name].append(t)
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in med.items():
        print(f"  {k:52s} median {v:6.2f} s  runs {', '.join(f'{t:.2f}' for t in times[k])}")
    a, o = med["anchor (read_table, openpyxl read-only)"], med["ours (read_table, python-calamine)"]
    print(f"  ratio ours/anchor {o / a:.2f}  (speed-up {a / o:.1f}×); load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

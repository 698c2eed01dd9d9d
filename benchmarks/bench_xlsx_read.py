"""Reading a field-count XLSX upload: ours (python-calamine, :func:`ingest.read.read_table`) against the
anchor named in issue 13 (the same ``read_table`` with openpyxl in read-only mode as its value reader).

    python benchmarks/bench_xlsx_read.py [--rows 100000] [--runs 3] [--no-worker]

The workbook: two title rows, the template's header, ``rows`` parcel events (text parcel fields,
Vietnamese-formatted numbers as text and as numbers, real Excel dates), written with XlsxWriter.

Sides, run in turn (ours, anchor, …, so that the machine's load falls on each alike):

- ours: ``read_table`` in this process;
- anchor: the same ``read_table`` with openpyxl read-only as its value reader
  (:func:`tests.ingest.read_reference.openpyxl_sheets` in place of ``_calamine_sheets``);
- reference anchor: the reader before the column-wise table builder
  (:func:`tests.ingest.read_reference.read_table_reference`) with openpyxl values: main before issue 13;
- ours in the worker: ``run_with_time_limit(read_table, …)`` as ``import-counts`` and the upload page call it
  (worker start, the file sent, the table sent back), the fork server started before timing;
- floor: python-calamine alone (open the workbook, ``to_python`` of its sheet), no check, no table.

Medians of wall time (``time.perf_counter``) and of this process's CPU time (``time.process_time``; the
worker's CPU is not in it), the ratios of the medians, and the load average before and after are printed.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as day_start
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import xlsxwriter

import ingest.read
from ingest.headers import CANONICAL_HEADERS
from ingest.read import read_table
from parsing.limits import run_with_time_limit
from tests.ingest.read_reference import openpyxl_sheets, read_table_reference

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
        ws.write_datetime(r, 6, datetime.combine(start + timedelta(days=i % 400), day_start()), dates)
        ws.write_row(r, 7, [f"{600 + i % 97},5", 1, 100_000_000 if i % 5 == 4 else None, ""])
    wb.close()
    return buf.getvalue()


def ours(data: bytes) -> int:
    return len(read_table(data, "so_lieu.xlsx").data)


def ours_in_worker(data: bytes) -> int:
    return len(run_with_time_limit(read_table, data, "so_lieu.xlsx").data)


def anchor(data: bytes) -> int:
    """The same :func:`read_table` with openpyxl as its value reader."""
    calamine = ingest.read._calamine_sheets
    ingest.read._calamine_sheets = openpyxl_sheets
    try:
        return len(read_table(data, "so_lieu.xlsx").data)
    finally:
        ingest.read._calamine_sheets = calamine


def reference_anchor(data: bytes) -> int:
    """The reader before the column-wise builder, with openpyxl values (main before issue 13)."""
    return len(read_table_reference(data, openpyxl_sheets).data)


def floor(data: bytes) -> int:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    return len(rows) - 3


def timed(fn, data) -> tuple[float, float, int]:
    t0, c0 = time.perf_counter(), time.process_time()
    n = fn(data)
    return time.perf_counter() - t0, time.process_time() - c0, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-worker", action="store_true", help="leave out the worker-process side")
    args = ap.parse_args()
    data = workbook(args.rows)
    sides = {"ours (read_table, python-calamine)": ours,
             "anchor (read_table, openpyxl read-only)": anchor,
             "reference anchor (before issue 13, openpyxl)": reference_anchor,
             "ours in the time-limited worker": ours_in_worker,
             "floor (python-calamine to_python alone)": floor}
    if args.no_worker:
        del sides["ours in the time-limited worker"]
    else:
        run_with_time_limit(read_table, workbook(10), "so_lieu.xlsx")   # the fork server starts once, untimed
    print(f"XLSX {args.rows:,} rows, {len(data) / 1e6:.1f} MB; load average {os.getloadavg()[0]:.2f}")
    wall: dict[str, list[float]] = {k: [] for k in sides}
    cpu: dict[str, list[float]] = {k: [] for k in sides}
    for _ in range(args.runs):
        for name, fn in sides.items():
            w, c, n = timed(fn, data)
            assert n == args.rows, (name, n)
            wall[name].append(w)
            cpu[name].append(c)
    med = {k: statistics.median(v) for k, v in wall.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    for k in sides:
        print(f"  {k:46s} wall {med[k]:6.2f} s  cpu {med_cpu[k]:6.2f} s  "
              f"runs {', '.join(f'{t:.2f}' for t in wall[k])}")
    o = "ours (read_table, python-calamine)"
    for a in ("anchor (read_table, openpyxl read-only)", "reference anchor (before issue 13, openpyxl)"):
        print(f"  {a}: speed-up wall {med[a] / med[o]:.1f}×, cpu {med_cpu[a] / med_cpu[o]:.1f}×")
    if not args.no_worker:
        w = "ours in the time-limited worker"
        print(f"  worker: speed-up against the anchor, wall {med['anchor (read_table, openpyxl read-only)'] / med[w]:.1f}×"
              f" (the worker's CPU is not in this process's figure)")
    print(f"  ours / floor: wall {med[o] / med['floor (python-calamine to_python alone)']:.2f}, "
          f"cpu {med_cpu[o] / med_cpu['floor (python-calamine to_python alone)']:.2f}")
    print(f"  load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Which uploads are read without the worker process: the CSVs whose raw bytes bound every record
(:func:`ingest.read.csv_bounded`); every other file keeps the time-limited worker."""
from __future__ import annotations

from datetime import date

import pytest

from ingest import importer
from ingest.read import IN_PROCESS_RECORD_CELLS, csv_bounded, read_table

HEADER = "Dự án;Xã;Số tờ;Số thửa;Giai đoạn;Ngày;Ghi chú\r\n"
ROW = "QL4B;Xã Hợp Thành;3;12;Kiểm đếm;02/05/2024;đo, bổ sung\r\n"


@pytest.mark.parametrize(("data", "bounded"), [
    ((HEADER + ROW * 50).encode("utf-8-sig"), True),
    ((HEADER + ROW * 50).encode("cp1258", errors="replace"), True),              # a one-byte code page
    ((HEADER + ROW.replace("đo, bổ sung", '"đo; bổ sung"')).encode(), False),      # a quoted cell
    ((HEADER + ROW).encode("utf-16"), False),                                       # NUL bytes
    ((HEADER + "x;" * IN_PROCESS_RECORD_CELLS + "\n").encode(), False),             # a wide line
    ((HEADER + "x;" * (IN_PROCESS_RECORD_CELLS - 8) + "\n").encode(), True),
    ((HEADER + ROW * 20).replace("\r\n", "\r").encode(), False),                    # CR-only: one "line"
    (b"PK\x03\x04" + b"\x14" * 40, False),                                          # a zip (XLSX)
    (b"no separators at all\n", True),
])
def test_bounded_files(data, bounded):
    assert csv_bounded(data) is bounded


class _Parcels:
    """The smallest reader :func:`ingest.importer.validate_file` needs (no parcels, no projects)."""

    def parcels(self):
        import pandas as pd
        return pd.DataFrame(columns=["parcel_id", "project_id", "commune", "commune_former", "map_sheet",
                                     "parcel_number", "area_to_recover_m2"])

    def projects(self):
        import pandas as pd
        return pd.DataFrame(columns=["project_id", "name", "short_name", "start_date"])

    def events(self):
        return None


def test_a_bounded_csv_is_read_in_process_and_gives_the_same_table(monkeypatch):
    data = (HEADER + ROW * 20).encode("utf-8-sig")
    monkeypatch.setattr(importer, "run_with_time_limit", _no_worker)
    table, report = importer.validate_file(data, "so_lieu.csv", _Parcels(), today=date(2024, 6, 1))
    expected = read_table(data, "so_lieu.csv")
    assert table.data.equals(expected.data) and table.encoding == expected.encoding == "utf-8-sig"
    assert report.rows_read == 20 and report.problems   # row problems (no such project) as before


def test_other_files_go_through_the_worker(monkeypatch):
    seen = []

    def recording(fn, *args, **kwargs):
        seen.append(args[1])
        return fn(*args)

    monkeypatch.setattr(importer, "run_with_time_limit", recording)
    wide = (HEADER + ";".join(["x"] * 100) + "\r\n").encode()
    quoted = (HEADER + ROW.replace("đo, bổ sung", '"đo; bổ sung"')).encode()
    for name, data in (("wide.csv", wide), ("quoted.csv", quoted)):
        importer.validate_file(data, name, _Parcels(), today=date(2024, 6, 1))
    assert seen == ["wide.csv", "quoted.csv"]


def _no_worker(*args, **kwargs):
    raise AssertionError("a bounded CSV must not start a worker process")

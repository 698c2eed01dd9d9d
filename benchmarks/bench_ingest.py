"""Benchmark of field-count ingest: read + validate + commit 10 000 and 100 000 rows, SQLite and PostGIS.

    python benchmarks/bench_ingest.py [--sizes 10000 100000] [--no-postgis]

Synthetic but realistic: 20 000 parcels in 5 former communes (sheets of 200 parcels), each row a
parcel event (notice → inventory → plan posted → approved → paid, dates increasing, Vietnamese number
format, UTF-8 BOM, ``;``), so every row is valid and the stage-order check runs on every row. The
store is a GeoPackage file in a temporary folder, or a PostGIS database ``bench_ingest_<hex>``
created and dropped here (server ``$GPMB_TEST_PG_ADMIN_URL``). Prints one line per (backend, size).
"""
from __future__ import annotations

import csv
import io
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, MultiPolygon, box

from benchmarks._postgis import bench_database, parse_backend_args
from tests.support.actors import office_admin

COMMUNES = ["Xã Hợp Thành", "Xã Gia Cát", "Xã Tân Liên", "Xã Phú Xá", "Thị trấn Cao Lộc"]
N_PARCELS = 20_000
STAGES = ["Thông báo thu hồi đất", "Kiểm đếm", "Niêm yết phương án", "Phê duyệt phương án / QĐ thu hồi", "Chi trả"]


def write_sources(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows, geoms = [], []
    for i in range(N_PARCELS):
        commune = COMMUNES[i % len(COMMUNES)]
        k = i // len(COMMUNES)
        sheet, number = k // 200 + 1, k % 200 + 1
        x, y = 450_000 + (i % 400) * 30.0, 2_410_000 + (i // 400) * 30.0
        geoms.append(box(x, y, x + 25, y + 25))
        rows.append(dict(parcel_id=f"QL4B/{i % 5:05d}/{sheet}/{number}", project_id="QL4B", commune_code="06112",
                         commune="Phường Kỳ Lừa", commune_former=commune, map_sheet=sheet, parcel_number=number,
                         land_use="LUC", owner_name="", household_id=f"H{i}", parcel_area_m2=625.0,
                         area_to_recover_m2=600.0, chainage_m=3700.0 + i * 0.7, illustrative=True))
    gpd.GeoDataFrame(rows, geometry=geoms, crs=9215).to_file(folder / "parcels.gpkg", layer="parcels", driver="GPKG")
    gpd.GeoDataFrame({"project_id": ["QL4B"], "name": ["QL4B"], "short_name": ["QL4B"], "kind": ["road"],
                      "province": ["Lạng Sơn"], "start_date": [date(2021, 1, 1)], "section_from_m": [3700.0],
                      "section_to_m": [18000.0], "geometry_status": ["approximate"], "geometry_note": ["bench"]},
                     geometry=[MultiPolygon([box(449_000, 2_409_000, 463_000, 2_412_000)])], crs=9215
                     ).to_file(folder / "projects.gpkg", layer="projects", driver="GPKG")
    gpd.GeoDataFrame({"project_id": ["QL4B"], "chainage_start_m": [3700.0], "geometry_status": ["approximate"],
                      "geometry_note": ["bench"]}, geometry=[LineString([(450_000, 2_410_000), (464_300, 2_410_000)])],
                     crs=9215).to_file(folder / "projects.gpkg", layer="centrelines", driver="GPKG")
    gpd.GeoDataFrame({"name": ["Kỳ Lừa"], "full_name": ["Phường Kỳ Lừa"], "code": ["06112"], "former_units": [""]},
                     geometry=[MultiPolygon([box(106.7, 21.8, 106.8, 21.9)])], crs=4326
                     ).to_file(folder / "communes.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"name": ["QL4B"], "kind": ["road"]}, geometry=[LineString([(106.7, 21.8), (106.8, 21.9)])],
                     crs=4326).to_file(folder / "roads.geojson", driver="GeoJSON")
    pd.DataFrame(columns=["kind", "project_id", "parcel_id", "event", "event_date"]).to_csv(
        folder / "events.csv", index=False, encoding="utf-8-sig")
    (folder / "milestones.csv").write_text("milestone_id,project_id,due_date,metric,target_percent,scope,label\n",
                                           encoding="utf-8-sig")
    (folder / "rules.yaml").write_text("stage_limits_days: {}\n", encoding="utf-8")
    return folder


def make_file(n_rows: int) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(["Dự án", "Xã", "Số tờ", "Số thửa", "Giai đoạn", "Ngày", "Diện tích (m²)", "Số tiền (đồng)", "Ghi chú"])
    start = date(2023, 1, 2)
    for r in range(n_rows):
        i = r % N_PARCELS
        step = r // N_PARCELS  # stage index: every parcel moves one stage per pass
        commune = COMMUNES[i % len(COMMUNES)]
        k = i // len(COMMUNES)
        day = start + timedelta(days=30 * step + i % 20)
        w.writerow(["QL4B", commune, k // 200 + 1, k % 200 + 1, STAGES[step % len(STAGES)], day.strftime("%d/%m/%Y"),
                    "512,5", "12.500.000" if step == 4 else "", "đo đạc bổ sung" if r % 7 == 0 else ""])
    return buf.getvalue().encode("utf-8-sig")


def make_xlsx(csv_bytes: bytes) -> bytes:
    """The same rows as an XLSX sheet (xlsxwriter, constant memory)."""
    import xlsxwriter

    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig")), delimiter=";"))
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Số liệu")
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()
    return buf.getvalue()


def bench_xlsx_read(sizes: list[int]) -> None:
    from ingest.read import read_table

    for n in sizes:
        data = make_xlsx(make_file(n))
        t = time.perf_counter()
        table = read_table(data)
        assert len(table.data) == n
        print(f"XLSX read: {n:>7,} rows ({len(data) / 1e6:.1f} MB): {time.perf_counter() - t:5.1f} s", flush=True)


def run(url: str, sources: Path, sizes: list[int], label: str) -> None:
    from ingest.importer import commit_report, sha256_bytes
    from ingest.read import read_table
    from ingest.validate import validate
    from tests.support.stores import demo_store

    t = time.perf_counter()
    store = demo_store(url, sources_dir=sources)
    print(f"{label}: open + seed {N_PARCELS:,} parcels: {time.perf_counter() - t:.1f} s", flush=True)
    today = date(2024, 12, 31)
    for n in sizes:
        data = make_file(n)
        t0 = time.perf_counter()
        table = read_table(data)
        t1 = time.perf_counter()
        parcels, projects, ledger = store.parcels(), store.projects(), store.events()
        t_load = time.perf_counter()
        report = validate(table, parcels, projects, ledger, today)
        t2 = time.perf_counter()
        assert report.ok, report.problems[:3]
        result = commit_report(report, store, file_name=f"bench_{n}.csv", file_sha256=sha256_bytes(data),
                               actor=office_admin(store), source="cli")
        t3 = time.perf_counter()
        assert result.created and result.rows_committed == n
        print(f"{label}: {n:>7,} rows ({len(data) / 1e6:.1f} MB CSV): read {t1 - t0:5.1f} s, "
              f"load parcels+ledger {t_load - t1:5.1f} s, validate {t2 - t_load:5.1f} s, commit {t3 - t2:5.1f} s, "
              f"total {t3 - t0:5.1f} s = {n / (t3 - t0):,.0f} rows/s", flush=True)
    store.close()


def main() -> int:
    args = parse_backend_args(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory() as tmp:
        sources = write_sources(Path(tmp) / "sources")
        bench_xlsx_read(args.sizes)
        run(f"sqlite:///{Path(tmp) / 'bench.gpkg'}", sources, args.sizes, "SQLite/GPKG")
        if args.no_postgis:
            return 0
        with bench_database("bench_ingest", "PostGIS") as url:
            if url is not None:
                run(url, sources, args.sizes, "PostGIS")
    return 0


if __name__ == "__main__":
    sys.exit(main())

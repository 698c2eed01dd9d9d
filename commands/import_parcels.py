"""``python cli.py import-parcels FILE [FILE …] --project ID [--crs EPSG] [--commune …] [--dry-run] [--json]``."""
from __future__ import annotations

import argparse
import json
import logging
import sys

NAME = "import-parcels"
HELP = "Nhập lớp thửa đất địa chính (shp/zip/gpkg/geojson/kml/kmz/dgn/dxf) vào một dự án"

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="một hoặc nhiều tệp (nhiều tờ bản đồ của một tuyến)")
    parser.add_argument("--project", required=True, help="mã dự án, ví dụ QL4B")
    parser.add_argument("--crs", help="hệ tọa độ cho tệp không có .prj: mã EPSG (9215) hoặc tên tỉnh (Lạng Sơn)")
    parser.add_argument("--commune", help="xã (đơn vị trước 1/7/2025) khi tệp không có cột xã, ví dụ 'Xã Hợp Thành'")
    parser.add_argument("--map-sheet", type=int, help="số tờ bản đồ khi tệp không có cột số tờ")
    parser.add_argument("--sliver-m2", type=float, default=1.0, help="ngưỡng mảnh vụn (m², mặc định 1,0)")
    parser.add_argument("--map", action="append", default=[], metavar="COT=TRUONG",
                        help="sửa ánh xạ thuộc tính, ví dụ --map SHBD=map_sheet (lặp lại được; TRUONG rỗng = bỏ cột)")
    parser.add_argument("--save-mapping", action="store_true", help="lưu các --map để dùng lần sau")
    parser.add_argument("--replace-project", action="store_true",
                        help="thay toàn bộ thửa của dự án (mặc định: chỉ thay thửa thuộc các xã có trong tệp)")
    parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và báo cáo, không ghi")
    parser.add_argument("--json", action="store_true", help="in báo cáo dạng JSON")
    parser.add_argument("--database-url", help="kho dữ liệu (mặc định $DATABASE_URL hoặc data/gpmb.gpkg)")


def _parse_mapping(items) -> dict:
    from cadastre.attributes import CANONICAL_FIELDS

    mapping = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"--map {item!r}: cần dạng COT=TRUONG")
        column, target = (s.strip() for s in item.split("=", 1))
        if target and target not in CANONICAL_FIELDS:
            raise ValueError(f"--map {item!r}: trường {target!r} không có; dùng {', '.join(CANONICAL_FIELDS)}")
        mapping[column] = target
    return mapping


def run(args) -> int:
    from cadastre.attributes import save_mapping
    from cadastre.coords import resolve_crs
    from cadastre.importer import CadastreImportError, ImportOptions, commit_parcels, prepare_parcels
    from cadastre.report import format_import_report

    try:
        epsg = resolve_crs(args.crs).to_epsg() if args.crs else None
        mapping = _parse_mapping(args.map)
    except ValueError as exc:
        print(f"Lỗi tham số: {exc}", file=sys.stderr)
        return 2
    try:
        from store import open_store

        store = open_store(args.database_url)
    except Exception as exc:  # the store logs its own detail
        log.exception("open_store failed")
        print(f"Không mở được kho dữ liệu: {exc}", file=sys.stderr)
        return 1
    options = ImportOptions(project_id=args.project, crs=epsg, commune_former=args.commune, map_sheet=args.map_sheet,
                            sliver_m2=args.sliver_m2, mapping=mapping)
    try:
        prepared = prepare_parcels(args.files, store, options)
        if args.save_mapping and mapping:
            save_mapping(mapping)
        report = prepared.report
        report["dry_run"] = bool(args.dry_run)
        status = 0
        if prepared.parcels.empty:
            status = 1
        elif not args.dry_run:
            report["layer_version"] = commit_parcels(store, prepared,
                                                     scope="project" if args.replace_project else "communes")
    except CadastreImportError as exc:
        if args.json:
            print(json.dumps({"error": str(exc)}, ensure_ascii=False, indent=1))
        else:
            print(f"Không nhập được: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    else:
        print(format_import_report(report))
        if args.dry_run:
            print("Chạy thử (--dry-run): chưa ghi gì vào kho dữ liệu.")
        elif status == 0:
            print(f"Đã ghi lớp thửa đất, phiên bản {report['layer_version']} (phiên bản trước vẫn khôi phục được).")
        else:
            print("Không có thửa nào để ghi; kho dữ liệu không thay đổi.")
    return status

"""``python cli.py import-alignment FILE --project ID [--chainage-start KmX+YYY] [--reverse] [--crs EPSG]``."""
from __future__ import annotations

import argparse
import json
import logging
import sys

NAME = "import-alignment"
HELP = "Nhập tim tuyến (đường) của một dự án đường để tính lý trình"

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="tệp tim tuyến (shp/zip/gpkg/geojson/kml/kmz/dgn/dxf)")
    parser.add_argument("--project", required=True, help="mã dự án")
    parser.add_argument("--chainage-start", help="lý trình điểm đầu tuyến, ví dụ Km3+700 (mặc định: giữ như cũ, hoặc Km0+000)")
    parser.add_argument("--reverse", action="store_true", help="đảo chiều đường vẽ (khi vẽ từ cuối tuyến)")
    parser.add_argument("--crs", help="hệ tọa độ cho tệp không có .prj: mã EPSG hoặc tên tỉnh")
    parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
    parser.add_argument("--json", action="store_true", help="in báo cáo JSON")
    parser.add_argument("--database-url", help="kho dữ liệu (mặc định $DATABASE_URL hoặc data/gpmb.gpkg)")


def run(args) -> int:
    from cadastre.coords import resolve_crs
    from cadastre.importer import CadastreImportError
    from cadastre.project_layers import project_default_epsg, read_alignment, update_alignment
    from gis.chainage import format_chainage, parse_chainage

    try:
        epsg = resolve_crs(args.crs).to_epsg() if args.crs else None
        start = parse_chainage(args.chainage_start) if args.chainage_start else None
    except ValueError as exc:
        print(f"Lỗi tham số: {exc}", file=sys.stderr)
        return 2
    try:
        from store import open_store

        store = open_store(args.database_url)
    except Exception as exc:
        log.exception("open_store failed")
        print(f"Không mở được kho dữ liệu: {exc}", file=sys.stderr)
        return 1
    try:
        line, report = read_alignment(args.files, user_epsg=epsg, reverse=args.reverse,
                                      default_epsg=project_default_epsg(store, args.project))
        report["project_id"] = args.project
        report["dry_run"] = bool(args.dry_run)
        if not args.dry_run:
            report["centrelines_version"] = update_alignment(store, args.project, line, report, chainage_start_m=start)
    except CadastreImportError as exc:
        print(json.dumps({"error": str(exc)}, ensure_ascii=False) if args.json else f"Không nhập được: {exc}",
              file=sys.stdout if args.json else sys.stderr)
        return 1
    finally:
        store.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    else:
        for crs in report["crs"]:
            print(f"Hệ tọa độ {crs['file']}: EPSG:{crs['epsg']} – {crs['reason']}")
        for w in report["warnings"]:
            print(f"Cảnh báo: {w}")
        first = start if start is not None else 0.0
        print(f"Tim tuyến: {report['pieces']} đoạn nối thành 1 đường dài {report['length_m']:.1f} m".replace(".", ",")
              + f"; lý trình {format_chainage(first)} → {format_chainage(first + report['length_m'])}")
        print("Chạy thử (--dry-run): chưa ghi gì." if args.dry_run
              else f"Đã ghi tim tuyến (phiên bản {report['centrelines_version']}).")
    return 0

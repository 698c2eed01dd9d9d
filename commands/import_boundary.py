"""``python cli.py import-boundary FILE [FILE …] --project ID [--crs EPSG] [--dry-run] [--json]``."""
from __future__ import annotations

import argparse
import json
import logging
import sys

NAME = "import-boundary"
HELP = "Nhập chỉ giới GPMB (vùng) của một dự án; tính lại diện tích thu hồi của các thửa"

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="tệp chỉ giới (shp/zip/gpkg/geojson/kml/kmz/dgn/dxf)")
    parser.add_argument("--project", required=True, help="mã dự án")
    parser.add_argument("--crs", help="hệ tọa độ cho tệp không có .prj: mã EPSG hoặc tên tỉnh")
    parser.add_argument("--sliver-m2", type=float, default=1.0, help="ngưỡng mảnh vụn (m²)")
    parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
    parser.add_argument("--json", action="store_true", help="in báo cáo JSON")
    parser.add_argument("--database-url", help="kho dữ liệu (mặc định $DATABASE_URL hoặc data/gpmb.gpkg)")


def run(args) -> int:
    from cadastre.coords import resolve_crs
    from cadastre.importer import CadastreImportError
    from cadastre.project_layers import project_default_epsg, read_boundary, update_boundary

    try:
        epsg = resolve_crs(args.crs).to_epsg() if args.crs else None
    except ValueError as exc:
        print(f"Lỗi tham số --crs: {exc}", file=sys.stderr)
        return 2
    try:
        from store import open_store

        store = open_store(args.database_url)
    except Exception as exc:
        log.exception("open_store failed")
        print(f"Không mở được kho dữ liệu: {exc}", file=sys.stderr)
        return 1
    try:
        boundary, report = read_boundary(args.files, user_epsg=epsg,
                                         default_epsg=project_default_epsg(store, args.project))
        report["project_id"] = args.project
        report["dry_run"] = bool(args.dry_run)
        if not args.dry_run:
            report.update(update_boundary(store, args.project, boundary, report, sliver_m2=args.sliver_m2))
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
        area = f"{report['area_m2']:,.1f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        print(f"Chỉ giới: {report['parts']} vùng, diện tích {area} m²" + (" (đã sửa hình lỗi)" if report["repaired"] else ""))
        if args.dry_run:
            print("Chạy thử (--dry-run): chưa ghi gì.")
        else:
            print(f"Đã ghi chỉ giới (phiên bản {report['projects_version']}); tính lại diện tích thu hồi: "
                  f"{report['parcels_zeroed']} thửa nay nằm ngoài chỉ giới.")
    return 0

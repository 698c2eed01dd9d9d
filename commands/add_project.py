"""``python cli.py add-project --id ID --name NAME --kind road|area --province NAME --boundary FILE [--alignment FILE --chainage-start KmX+YYY]``."""
from __future__ import annotations

import argparse
import json
import logging
import sys

NAME = "add-project"
HELP = "Tạo dự án mới từ tệp chỉ giới GPMB (và tim tuyến nếu là dự án đường)"

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--id", required=True, dest="project_id", help="mã dự án (chữ không dấu, số, _), ví dụ QL4B_2026")
    parser.add_argument("--name", required=True, help="tên đầy đủ của dự án")
    parser.add_argument("--short-name", help="tên ngắn")
    parser.add_argument("--kind", required=True, choices=("road", "area", "sites"), help="road (tuyến), area (vùng), sites (điểm)")
    parser.add_argument("--province", required=True, help="tỉnh (xác định múi TM-3 mặc định), ví dụ 'Lạng Sơn'")
    parser.add_argument("--boundary", required=True, nargs="+", metavar="FILE", help="tệp chỉ giới GPMB")
    parser.add_argument("--alignment", nargs="+", metavar="FILE", help="tệp tim tuyến (dự án đường)")
    parser.add_argument("--chainage-start", default="Km0+000", help="lý trình điểm đầu tim tuyến, ví dụ Km3+700")
    parser.add_argument("--start-date", help="ngày bắt đầu GPMB dd/mm/yyyy")
    parser.add_argument("--crs", help="hệ tọa độ cho tệp không có .prj: mã EPSG hoặc tên tỉnh")
    parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
    parser.add_argument("--json", action="store_true", help="in báo cáo JSON")
    parser.add_argument("--database-url", help="kho dữ liệu (mặc định $DATABASE_URL hoặc data/gpmb.gpkg)")


def run(args) -> int:
    from datetime import datetime

    from cadastre.coords import resolve_crs
    from cadastre.importer import CadastreImportError
    from cadastre.project_layers import add_project, project_default_epsg, read_alignment, read_boundary
    from gis.chainage import parse_chainage

    try:
        epsg = resolve_crs(args.crs).to_epsg() if args.crs else None
        start = parse_chainage(args.chainage_start)
        default_epsg = project_default_epsg(None, None, args.province)
        start_date = datetime.strptime(args.start_date, "%d/%m/%Y").date() if args.start_date else None
    except ValueError as exc:
        print(f"Lỗi tham số: {exc}", file=sys.stderr)
        return 2
    if args.kind == "road" and not args.alignment:
        print("Cảnh báo: dự án đường chưa có tim tuyến (--alignment): chưa tính được lý trình.", file=sys.stderr)
    try:
        from store import open_store

        store = open_store(args.database_url)
    except Exception as exc:
        log.exception("open_store failed")
        print(f"Không mở được kho dữ liệu: {exc}", file=sys.stderr)
        return 1
    try:
        boundary, report = read_boundary(args.boundary, user_epsg=epsg, default_epsg=default_epsg)
        line = None
        if args.alignment:
            line, line_report = read_alignment(args.alignment, user_epsg=epsg, default_epsg=default_epsg)
            report["alignment"] = line_report
        report.update(project_id=args.project_id, dry_run=bool(args.dry_run))
        if not args.dry_run:
            report.update(add_project(store, project_id=args.project_id, name=args.name, kind=args.kind,
                                      province=args.province, boundary=boundary, report=report, alignment=line,
                                      chainage_start_m=start, short_name=args.short_name, start_date=start_date))
    except CadastreImportError as exc:
        print(json.dumps({"error": str(exc)}, ensure_ascii=False) if args.json else f"Không tạo được dự án: {exc}",
              file=sys.stdout if args.json else sys.stderr)
        return 1
    finally:
        store.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    else:
        area = f"{report['area_m2']:,.1f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        print(f"Dự án {args.project_id}: chỉ giới {report['parts']} vùng, {area} m²")
        for w in report["warnings"]:
            print(f"Cảnh báo: {w}")
        print("Chạy thử (--dry-run): chưa ghi gì." if args.dry_run else "Đã tạo dự án.")
    return 0

"""``python cli.py add-project --id ID --name NAME --kind road|area --province NAME [--boundary FILE [--alignment FILE
--chainage-start KmX+YYY]]``.

Without ``--boundary`` the project is known only by its register (issue 12): a project row with a NULL
geometry and ``geometry_status`` ``register_only``; its households come from ``import-register``, its
boundary later from ``import-boundary`` and its parcels from ``import-parcels`` (matched by key).
"""
from __future__ import annotations

import argparse
import sys

from commands._auth import acting_in, client_address
from commands._geo_args import (
    FORMATS,
    add_crs_argument,
    add_output_arguments,
    parse_epsg,
    run_on_store,
    usage_error,
)

NAME = "add-project"
HELP = "Tạo dự án mới từ tệp chỉ giới GPMB (và tim tuyến nếu là dự án đường), hoặc chỉ từ sổ hộ dân (không --boundary)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--id", required=True, dest="project_id", help="mã dự án (chữ không dấu, số, _), ví dụ QL4B_2026")
    parser.add_argument("--name", required=True, help="tên đầy đủ của dự án")
    parser.add_argument("--short-name", help="tên ngắn")
    parser.add_argument("--kind", required=True, choices=("road", "area", "sites"), help="road (tuyến), area (vùng), sites (điểm)")
    parser.add_argument("--province", required=True, help="tỉnh (xác định múi TM-3 mặc định), ví dụ 'Lạng Sơn'")
    parser.add_argument("--boundary", nargs="+", metavar="FILE",
                        help=f"tệp chỉ giới GPMB ({FORMATS}); bỏ trống: dự án chỉ có sổ hộ dân, nhập chỉ giới sau")
    parser.add_argument("--alignment", nargs="+", metavar="FILE", help=f"tệp tim tuyến, dự án đường ({FORMATS})")
    parser.add_argument("--chainage-start", default="Km0+000", help="lý trình điểm đầu tim tuyến, ví dụ Km3+700")
    parser.add_argument("--start-date", help="ngày bắt đầu GPMB dd/mm/yyyy")
    add_crs_argument(parser)
    add_output_arguments(parser)


def run(args) -> int:

    from cadastre.project_layers import (
        add_project,
        project_default_epsg,
        read_alignment,
        read_boundary,
    )
    from gis.chainage import parse_chainage
    from parsing.dates import parse_date
    from vocab.format import fmt_number

    try:
        epsg = parse_epsg(args.crs)
        start = parse_chainage(args.chainage_start)
        default_epsg = project_default_epsg(None, None, args.province)
        start_date = parse_date(args.start_date) if args.start_date else None  # the one date rule
    except ValueError as exc:
        raise usage_error(exc) from exc
    if args.alignment and not args.boundary:
        raise usage_error(ValueError("--alignment cần --boundary (nhập tim tuyến sau bằng import-alignment)."))
    if args.kind == "road" and not args.alignment:
        print("Cảnh báo: dự án đường chưa có tim tuyến (--alignment): chưa tính được lý trình.", file=sys.stderr)

    def work(store) -> tuple[dict, int]:
        if args.boundary:
            boundary, report = read_boundary(args.boundary, user_epsg=epsg, default_epsg=default_epsg)
        else:
            boundary, report = None, {"parts": 0, "area_m2": 0.0, "warnings": [], "crs": [], "register_only": True}
        line = None
        if args.alignment:
            line, line_report = read_alignment(args.alignment, user_epsg=epsg, default_epsg=default_epsg)
            report["alignment"] = line_report
        report.update(project_id=args.project_id, dry_run=bool(args.dry_run))
        if not args.dry_run:
            report.update(add_project(store, project_id=args.project_id, name=args.name, kind=args.kind,
                                      province=args.province, boundary=boundary, report=report, alignment=line,
                                      chainage_start_m=start, short_name=args.short_name, start_date=start_date,
                                      actor=acting_in(store, args), client_address=client_address()))
        return report, 0

    def print_text(report: dict) -> None:
        if report.get("register_only"):
            print(f"Dự án {args.project_id}: chưa có chỉ giới (lập từ sổ hộ dân; nhập sau bằng import-boundary)")
        else:
            print(f"Dự án {args.project_id}: chỉ giới {report['parts']} vùng, {fmt_number(report['area_m2'], 1)} m²")
        for warning in report["warnings"]:
            print(f"Cảnh báo: {warning}")
        print("Chạy thử (--dry-run): chưa ghi gì." if args.dry_run else "Đã tạo dự án.")

    return run_on_store(args, work, print_text, failure="Không tạo được dự án")

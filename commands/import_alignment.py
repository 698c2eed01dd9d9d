"""``python cli.py import-alignment FILE --project ID [--chainage-start KmX+YYY] [--reverse] [--crs EPSG]``."""
from __future__ import annotations

import argparse

from commands._auth import acting_in, client_address
from commands._geo_args import (
    add_layer_arguments,
    add_output_arguments,
    parse_epsg,
    print_crs_and_warnings,
    run_on_store,
    usage_error,
)
from vocab.escape import terminal_block

NAME = "import-alignment"
HELP = "Nhập tim tuyến (đường) của một dự án đường để tính lý trình"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_layer_arguments(parser, "tệp tim tuyến")
    parser.add_argument("--chainage-start", help="lý trình điểm đầu tuyến, ví dụ Km3+700 (mặc định: giữ như cũ, hoặc Km0+000)")
    parser.add_argument("--reverse", action="store_true", help="đảo chiều đường vẽ (khi vẽ từ cuối tuyến)")
    add_output_arguments(parser)


def run(args) -> int:
    from cadastre.change_report import format_change_set
    from cadastre.project_layers import (
        alignment_changes,
        project_default_epsg,
        read_alignment,
        update_alignment,
    )
    from gis.chainage import format_chainage, parse_chainage
    from vocab.format import fmt_number

    try:
        epsg = parse_epsg(args.crs)
        start = parse_chainage(args.chainage_start) if args.chainage_start else None
    except ValueError as exc:
        raise usage_error(exc) from exc

    def work(store) -> tuple[dict, int]:
        line, report = read_alignment(args.files, user_epsg=epsg, reverse=args.reverse,
                                      default_epsg=project_default_epsg(store, args.project))
        report["project_id"] = args.project
        report["dry_run"] = bool(args.dry_run)
        report["change_sets"] = {name: cs.to_dict() for name, cs in alignment_changes(
            store, args.project, line, report, chainage_start_m=start).items()}
        if not args.dry_run:
            report["centrelines_version"] = update_alignment(store, args.project, line, report, chainage_start_m=start,
                                                              actor=acting_in(store, args),
                                                              client_address=client_address())
        return report, 0

    def print_text(report: dict) -> None:
        print_crs_and_warnings(report)
        first = start if start is not None else 0.0
        print(f"Tim tuyến: {report['pieces']} đoạn nối thành 1 đường dài {fmt_number(report['length_m'], 1)} m"
              f"; lý trình {format_chainage(first)} → {format_chainage(first + report['length_m'])}")
        for change_set in report["change_sets"].values():
            print(terminal_block(format_change_set(change_set)))
        print("Chạy thử (--dry-run): chưa ghi gì." if args.dry_run
              else f"Đã ghi tim tuyến (phiên bản {report['centrelines_version']}).")

    return run_on_store(args, work, print_text)

"""``python cli.py import-boundary FILE [FILE …] --project ID [--crs EPSG] [--dry-run] [--json]``.

The change set (the project's boundary area before/after; parcels whose area to recover changes)
is computed first and printed (``change_sets`` in ``--json``). A new boundary removes no parcel:
those now outside keep their row at 0 m².
"""
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

NAME = "import-boundary"
HELP = "Nhập chỉ giới GPMB (vùng) của một dự án; tính lại diện tích thu hồi của các thửa"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_layer_arguments(parser, "tệp chỉ giới GPMB", sliver=True)
    add_output_arguments(parser)


def run(args) -> int:
    from cadastre.change_report import format_change_set
    from cadastre.project_layers import (
        boundary_changes,
        project_default_epsg,
        read_boundary,
        update_boundary,
    )
    from vocab.format import fmt_number

    try:
        epsg = parse_epsg(args.crs)
    except ValueError as exc:
        raise usage_error(exc) from exc

    def work(store) -> tuple[dict, int]:
        boundary, report = read_boundary(args.files, user_epsg=epsg,
                                         default_epsg=project_default_epsg(store, args.project))
        report["project_id"] = args.project
        report["dry_run"] = bool(args.dry_run)
        report["change_sets"] = {name: cs.to_dict() for name, cs in boundary_changes(
            store, args.project, boundary, report, sliver_m2=args.sliver_m2).items()}
        if not args.dry_run:
            report.update(update_boundary(store, args.project, boundary, report, sliver_m2=args.sliver_m2,
                                          actor=acting_in(store, args), client_address=client_address()))
        return report, 0

    def print_text(report: dict) -> None:
        print_crs_and_warnings(report)
        print(f"Chỉ giới: {report['parts']} vùng, diện tích {fmt_number(report['area_m2'], 1)} m²"
              + (" (đã sửa hình lỗi)" if report["repaired"] else ""))
        for change_set in report["change_sets"].values():
            print(terminal_block(format_change_set(change_set)))
        if args.dry_run:
            print("Chạy thử (--dry-run): chưa ghi gì.")
        else:
            print(f"Đã ghi chỉ giới (phiên bản {report['projects_version']}); tính lại diện tích thu hồi: "
                  f"{report['parcels_zeroed']} thửa nay nằm ngoài chỉ giới.")

    return run_on_store(args, work, print_text)

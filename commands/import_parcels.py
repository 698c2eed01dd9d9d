"""``python cli.py import-parcels FILE [FILE …] --project ID --as USER [--crs EPSG] [--commune …] [--dry-run] [--json]
[--allow-remove N]``.

The change set (parcels added, changed, removed; events that would lose their parcel) is computed
before anything is written and printed (``change_set`` in ``--json``); a commit that removes parcels
is refused (exit 1) unless ``--allow-remove N`` names exactly how many. Writing needs ``--as`` an account whose role imports cadastral data (admin; checked by the store). A
replacement that removes parcels is proposed while maker–checker is on (``cli.py proposals``).
When the project has a households register (a project known by its register first), the report also
matches the register's parcel keys with the map (``register_match``: matched, ambiguous, register_only,
map_only; :mod:`cadastre.register_match`).
"""
from __future__ import annotations

import argparse
import sys

from commands._auth import acting_in, client_address
from commands._common import terminal_progress
from commands._geo_args import add_layer_arguments, add_output_arguments, parse_epsg, run_on_store, usage_error
from vocab.escape import terminal_block

NAME = "import-parcels"
HELP = "Nhập lớp thửa đất địa chính (shp/zip/gpkg/geojson/kml/kmz/dgn/dxf) vào một dự án"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_layer_arguments(parser, "một hoặc nhiều tệp thửa đất (nhiều tờ bản đồ của một tuyến)", sliver=True)
    parser.add_argument("--commune", help="xã (đơn vị trước 1/7/2025) khi tệp không có cột xã, ví dụ 'Xã Hợp Thành'")
    parser.add_argument("--map-sheet", type=int, help="số tờ bản đồ khi tệp không có cột số tờ")
    parser.add_argument("--map", action="append", default=[], metavar="COT=TRUONG",
                        help="sửa ánh xạ thuộc tính, ví dụ --map SHBD=map_sheet (lặp lại được; TRUONG rỗng = bỏ cột)")
    parser.add_argument("--profile", metavar="TEN",
                        help="áp dụng hồ sơ nguồn đã lưu (ánh xạ thuộc tính; xem cli.py profiles list)")
    parser.add_argument("--save-profile", metavar="TEN",
                        help="lưu các --map (thêm vào hồ sơ --profile nếu có) thành hồ sơ nguồn TEN (không lưu khi --dry-run)")
    parser.add_argument("--replace-project", action="store_true",
                        help="thay toàn bộ thửa của dự án (mặc định: chỉ thay thửa thuộc các xã có trong tệp)")
    parser.add_argument("--allow-remove", type=int, default=0, metavar="N",
                        help="cho phép xóa đúng N thửa đang có (xem số trong --dry-run); thiếu hoặc sai số thì không ghi")
    add_output_arguments(parser)


def parse_mapping(items) -> dict:
    """``["SHBD=map_sheet", "GHICHU="]`` → ``{"SHBD": "map_sheet", "GHICHU": ""}`` (empty = drop the column).

    Raises
    ------
    ValueError
        When an item has no ``=`` or names a field not in :data:`cadastre.attributes.CANONICAL_FIELDS`.
    """
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
    from cadastre.change_report import format_change_set
    from cadastre.importer import (
        ImportOptions,
        RemovalNotConfirmedError,
        commit_parcels,
        parcel_changes,
        prepare_parcels,
    )
    from cadastre.profiles import save_profile
    from cadastre.report import format_import_report

    try:
        epsg = parse_epsg(args.crs)
        mapping = parse_mapping(args.map)
    except ValueError as exc:
        raise usage_error(exc) from exc
    options = ImportOptions(project_id=args.project, crs=epsg, commune_former=args.commune, map_sheet=args.map_sheet,
                            sliver_m2=args.sliver_m2, mapping=mapping, profile=args.profile)

    progress = terminal_progress()  # a line on stderr when it is a terminal

    def work(store) -> tuple[dict, int]:
        try:
            return _work(store)
        finally:
            if progress is not None:
                progress.done()

    def _work(store) -> tuple[dict, int]:
        prepared = prepare_parcels(args.files, store, options, progress=progress)
        report = prepared.report.to_dict()
        report["dry_run"] = bool(args.dry_run)
        if args.save_profile and mapping and not args.dry_run:
            report["saved_profile"] = {"name": args.save_profile, "version": save_profile(
                store, args.save_profile, mapping, base=args.profile, actor=acting_in(store, args),
                client_address=client_address())}
        if prepared.parcels.empty:
            return report, 1
        from cadastre.register_match import import_register_match

        match = import_register_match(store, args.project, prepared.parcels)
        if match is not None:  # a project known by its register first: which of its parcels the map brings
            report["register_match"] = match
        scope = "project" if args.replace_project else "communes"
        report["change_set"] = parcel_changes(store, prepared, scope, progress=progress).to_dict()
        if not args.dry_run:
            try:
                outcome = commit_parcels(store, prepared, actor=acting_in(store, args), scope=scope,
                                         confirm_removed=args.allow_remove, client_address=client_address(),
                                         progress=progress)
            except RemovalNotConfirmedError as exc:
                report.update(change_set=exc.change_set.to_dict(), error=exc.message_vi)
                return report, 1
            report["layer_version" if outcome.executed else "proposal_id"] = (
                outcome.result if outcome.executed else outcome.proposal_id)
        return report, 0

    def print_text(report: dict) -> None:
        print(terminal_block(format_import_report(report)))
        if "saved_profile" in report:
            saved = report["saved_profile"]
            print(terminal_block(f"Đã lưu hồ sơ nguồn «{saved['name']}», phiên bản {saved['version']}."))
        if "change_set" in report:
            print(terminal_block(format_change_set(report["change_set"])))
        if "register_match" in report:
            from cadastre.register_match import format_register_match

            print(terminal_block(format_register_match(report["register_match"])))
        if "error" in report:
            print(f"Không nhập được: {report['error']}", file=sys.stderr)
        elif args.dry_run:
            print("Chạy thử (--dry-run): chưa ghi gì vào kho dữ liệu.")
        elif "layer_version" in report:
            print(f"Đã ghi lớp thửa đất, phiên bản {report['layer_version']} (phiên bản trước vẫn khôi phục được).")
        elif "proposal_id" in report:
            print(f"Lần nhập này xoá thửa đất: đã ghi đề xuất số {report['proposal_id']}, chờ một tài khoản khác "
                  f"duyệt (cli.py proposals confirm {report['proposal_id']} --as TÊN); chưa thay đổi dữ liệu.")
        else:
            print("Không có thửa nào để ghi; kho dữ liệu không thay đổi.")

    return run_on_store(args, work, print_text)

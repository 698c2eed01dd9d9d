"""``python cli.py import-register FILE --project ID [--kind …] [--commune NAME] [--profile NAME] [--map C005=approved]
[--dry-run] [--skip-invalid] [--json] --as USER``: validate and record a people-side register.

Kinds: ``households``, ``plans``, ``payments``, ``refusals``, ``transfers``, ``complaints``, ``lots``, ``areas`` (the
templates of ``cli.py template --kind …``; ``areas`` also reads a GeoJSON, GeoPackage or zipped shapefile, ``--crs``
for one that declares no CRS) and ``matrix`` (default: the household × step matrix kept in Excel; its steps become stage
events of the matched parcels). The report (``--json`` for all of it) gives rows, households, parcels
(tokens and distinct), the area, the step → stage mapping used, households per stage, unmapped step
columns and the problems by row (row, column, expectation, in Vietnamese). A dry run shows the proposed
mapping for confirmation; ``--map CODE=STAGE`` corrects it and ``--profile NAME`` saves it on commit.
Exit code 0 when committed, nothing new, or a clean dry run; 1 rejected or refused; 2 usage errors.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from commands._auth import acting_in, add_as_argument, client_address
from commands._common import add_database_url_argument
from commands._geo_args import parse_epsg, usage_error
from domain.errors import UsageError
from domain.people import IMPORT_KINDS
from vocab.escape import terminal_block, terminal_json, terminal_text
from vocab.format import fmt_m2, fmt_number
from vocab.labels import EVENT_LABELS_VI, stage_label

NAME = "import-register"
HELP = ("Kiểm tra và ghi sổ hộ dân, phương án, chi trả, mời nhận tiền / gửi tạm giữ, kinh phí đã chuyển, đơn thư, "
        "lô / khu tái định cư (XLSX/CSV; khu: cả GeoJSON, GeoPackage, shapefile .zip) hoặc bảng hộ × bước")

MAX_PRINTED_PROBLEMS = 200


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="tệp .xlsx hoặc .csv (khu tái định cư: cả .geojson, .gpkg, .zip)")
    parser.add_argument("--project", required=True, metavar="ID", help="mã dự án, ví dụ QL4B")
    parser.add_argument("--kind", choices=IMPORT_KINDS, default="matrix", help="loại sổ (mặc định: matrix)")
    parser.add_argument("--commune", metavar="NAME", help="xã/phường của tệp (điền ô trống; bảng hộ × bước: "
                                                          "chỉ khớp thửa của xã này)")
    parser.add_argument("--profile", metavar="NAME", help="hồ sơ ánh xạ bước → giai đoạn (đọc, và lưu khi ghi)")
    parser.add_argument("--map", action="append", default=[], metavar="CODE=STAGE",
                        help="sửa ánh xạ một bước, ví dụ C005=approved, C090=flag:enforced, C003=none")
    parser.add_argument("--crs", metavar="EPSG|TỈNH", help="khu tái định cư: hệ tọa độ của tệp không khai báo "
                                                         "(mặc định: múi TM-3 của tỉnh của dự án)")
    parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
    parser.add_argument("--skip-invalid", action="store_true", help="ghi các dòng hợp lệ dù có dòng lỗi")
    parser.add_argument("--json", action="store_true", help="in báo cáo dạng JSON")
    add_as_argument(parser)
    add_database_url_argument(parser)


def parse_map(items: list[str]) -> dict[str, str | None]:
    """``["C005=approved", "C003=none"]`` → ``{"C005": "approved", "C003": None}``.

    Raises
    ------
    UsageError
        An item without ``=``.
    """
    mapping: dict[str, str | None] = {}
    for item in items:
        code, sep, target = item.partition("=")
        if not sep or not code.strip():
            raise UsageError(f"--map cần dạng MÃ=GIAI_ĐOẠN, nhận «{terminal_text(item)}».")
        target = target.strip()
        mapping[code.strip().upper()] = None if target.lower() in ("", "none") else target
    return mapping


def _target_text(target: str | None) -> str:
    if target is None:
        return "— (không ánh xạ)"
    if target.startswith("flag:"):
        return "nhánh: " + EVENT_LABELS_VI.get(target.removeprefix("flag:"), target)
    return stage_label(target)


def format_report(result) -> str:
    """Plain-text report: summary, counts, mapping (matrix), notes, problems."""
    lines = [result.message_vi,
             (f"Tệp {result.file_name}: {fmt_number(result.rows)} dòng, {fmt_number(result.rows_valid)} hợp lệ, "
             f"{fmt_number(result.households)} hộ, {fmt_number(result.parcel_tokens)} số thửa "
             f"({fmt_number(result.parcels_distinct)} thửa khác nhau), diện tích {fmt_m2(result.area_m2_total, 1)}")]
    if result.kind == "areas":
        lines.append(f"Tổng diện tích các khu trong tệp: {fmt_m2(result.area_m2_total, 1)}")
    if result.kind == "transfers":
        lines.append(f"Tổng kinh phí đã chuyển trong tệp: {fmt_number(result.amount_vnd_total)} đồng")
    if result.kind == "matrix":
        lines.append("Ánh xạ bước → giai đoạn:")
        lines += [f"  {code}: {_target_text(t)}" for code, t in result.mapping.items()]
        lines.append("Số hộ theo giai đoạn: " + ", ".join(f"{stage_label(s)} {n}" for s, n in
                                                       result.counts_per_stage.items() if n))
        lines.append(f"Kế hoạch thủ tục (trang danh sách bước): {result.procedure_steps} bước")
        lines.append(f"Thửa khớp bản đồ: {result.parcels_matched}; không khớp: {len(result.parcels_unmatched)}; "
                     f"sự kiện tiến độ: {result.events}")
    lines += [f"Lưu ý: {n}" for n in result.notes]
    lines += [str(p) for p in result.problems[:MAX_PRINTED_PROBLEMS]]
    if len(result.problems) > MAX_PRINTED_PROBLEMS:
        lines.append(f"… và {len(result.problems) - MAX_PRINTED_PROBLEMS} lỗi khác (dùng --json để xem đủ).")
    return "\n".join(lines)


def run(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"Không tìm thấy tệp: {terminal_text(args.file)}", file=sys.stderr)
        return 2
    from ingest.register_import import import_register
    from store import open_store

    mapping = parse_map(args.map)
    try:
        user_epsg = parse_epsg(args.crs)
    except ValueError as exc:
        raise usage_error(exc) from exc
    read_geo = None
    if args.kind == "areas":   # the cadastral readers (GDAL) only for the kind that reads map files
        from cadastre.resettlement_areas import read_area_file as read_geo
    store = open_store(args.database_url)
    result = import_register(path, store, kind=args.kind, project_id=args.project, actor=acting_in(store, args),
                             commune=args.commune, profile=args.profile, mapping=mapping or None,
                             dry_run=args.dry_run, skip_invalid=args.skip_invalid, source="cli",
                             client_address=client_address(), read_geo=read_geo, user_epsg=user_epsg)
    if args.json:
        print(terminal_json(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str)))
    else:
        print(terminal_block(format_report(result)))
    return result.exit_code

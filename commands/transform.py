"""``python cli.py transform --from CRS --to CRS A B [--json]`` (or ``--file LIST``): the surveyors' converter.

Order in and out: X (northing) then Y (easting) for grids; latitude then longitude for geographic CRS
(decimal degrees or d°m′s″). CRS as an EPSG code, a province name, a central meridian, UTM48/UTM49 or WGS84.
The two numbers of a point are read as one line (:mod:`parsing.numbers`): ``2.421.100 450.800`` is
X = 2 421 100 m, Y = 450 800 m; a line that cannot decide an ambiguous value is reported, not guessed.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "transform"
HELP = "Chuyển tọa độ VN-2000 (TM-3 các tỉnh, UTM) ⇄ WGS 84; vào/ra theo thứ tự X(Bắc) Y(Đông) hoặc vĩ độ, kinh độ"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="from_crs", required=True, help="hệ nguồn: 9215, 'Lạng Sơn', '107-15', UTM48, WGS84 …")
    parser.add_argument("--to", dest="to_crs", required=True, help="hệ đích (như --from)")
    parser.add_argument("coords", nargs="*", metavar="A B",
                        help="X Y (lưới, mét) hoặc vĩ độ kinh độ (độ thập phân hoặc 21°50'30\"); số âm viết sau --")
    parser.add_argument("--file", help="tệp danh sách điểm, mỗi dòng '[tên] A B' (tab/;/khoảng trắng), '-' = stdin")
    parser.add_argument("--dms", action="store_true", help="in độ dạng độ°phút′giây″ (hệ địa lý)")
    parser.add_argument("--json", action="store_true", help="in kết quả JSON")


def _fmt(value: float, geographic: bool, dms: bool) -> str:
    from cadastre.coords import format_dms
    from vocab.format import fmt_number

    if geographic:
        return format_dms(value) if dms else fmt_number(value, 9)
    return fmt_number(value, 3)


def run(args) -> int:
    from cadastre.coords import axis_labels, convert_text_rows, operation_description, resolve_crs

    try:
        src, dst = resolve_crs(args.from_crs), resolve_crs(args.to_crs)
    except ValueError as exc:
        print(f"Lỗi tham số: {exc}", file=sys.stderr)
        return 2
    if args.file:
        try:
            text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"Không đọc được tệp {args.file}: {exc}", file=sys.stderr)
            return 2
        lines = text.splitlines()
    elif len(args.coords) == 2:
        lines = ["\t".join(args.coords)]
    else:
        print("Cần đúng 2 tọa độ A B (hoặc --file).", file=sys.stderr)
        return 2
    rows = convert_text_rows(lines, src, dst)
    errors = [r for r in rows if r["error"]]
    if args.json:
        print(json.dumps({
            "from": {"epsg": src.to_epsg(), "name": src.name, "order": list(axis_labels(src))},
            "to": {"epsg": dst.to_epsg(), "name": dst.name, "order": list(axis_labels(dst))},
            "operation": operation_description(src, dst),
            "points": rows,
        }, ensure_ascii=False, indent=1))
    else:
        a_out, b_out = axis_labels(dst)
        print(f"{src.name} (EPSG:{src.to_epsg()}) → {dst.name} (EPSG:{dst.to_epsg()})")
        print(f"Phép chuyển: {operation_description(src, dst)}")
        print(f"Thứ tự kết quả: {a_out}, {b_out}")
        for r in rows:
            if r["error"]:
                print(r["error"], file=sys.stderr)
                continue
            name = f"{r['name']}\t" if r["name"] else ""
            print(f"{name}{_fmt(r['out_a'], dst.is_geographic, args.dms)}\t{_fmt(r['out_b'], dst.is_geographic, args.dms)}")
    return 1 if errors else 0

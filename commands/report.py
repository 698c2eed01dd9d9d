"""``python cli.py report --as-of DATE --format docx [--out FILE]``: the quarterly clearance report.

An editable Word document laid out under Decree 30/2020/NĐ-CP (:mod:`exports.report_docx`), from the
same ``compute_snapshot(store, as_of)`` as ``cli.py status``, so its figures are the ones ``status`` prints.
Written through ``exports.export("docx", …)`` (the dashboard's export page calls the same).
Exit code 0 (file written), 1 (store or data problem, nothing written), 2 (usage).
"""
from __future__ import annotations

import sys
from pathlib import Path

from commands._common import add_as_of_argument, add_database_url_argument
from commands.export import _write_atomically
from vocab.format import fmt_date, fmt_number

NAME = "report"
HELP = "Báo cáo quý kết quả GPMB (Word, theo thể thức Nghị định 30/2020/NĐ-CP) tại một ngày số liệu"


def add_arguments(parser) -> None:
    add_as_of_argument(parser, required=True)
    parser.add_argument("--format", default="docx", choices=["docx"], dest="fmt",
                        help="docx: văn bản Word sửa được (mặc định)")
    parser.add_argument("--out", default=None, metavar="FILE",
                        help="tệp đích (mặc định: tên tự đặt trong thư mục hiện tại)")
    add_database_url_argument(parser)


def run(args) -> int:
    from exports import export
    from milestones.snapshot import compute_snapshot
    from store import open_store

    store = open_store(args.database_url)
    snapshot = compute_snapshot(store, args.as_of)     # a GpmbError reaches cli.py
    result = export(args.fmt, snapshot, store)
    out = Path(args.out) if args.out else Path(result.file_name)
    if out.is_dir():
        out = out / result.file_name
    try:
        _write_atomically(out, result.data)
    except OSError as exc:
        print(f"Lỗi: không ghi được tệp {out}: {exc}", file=sys.stderr)
        return 1
    print(f"Đã ghi báo cáo quý {out} ({fmt_number(len(result.data) / 1024)} kB) – số liệu đến ngày "
          f"{fmt_date(args.as_of)}")
    return 0

"""``python cli.py import-counts FILE --as USER [--dry-run] [--skip-invalid] [--json]``: validate and commit field counts.

The account named by ``--as`` is checked by :func:`ingest.importer.import_counts` (below this view): a
viewer is refused; a commune officer's rows of other communes are reported row by row (column Xã).

Prints the row-level report (row as numbered in Excel, column, value, Vietnamese message), then the
rows not committed because their content is already recorded (``duplicates`` in ``--json``). Exit code
0 when committed or nothing new to commit (or a dry run without problems), 1 when the file was
rejected or refused, 2 on usage errors (missing file, bad options).
"""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from commands._auth import acting_in, add_as_argument, client_address
from commands._common import add_database_url_argument, terminal_progress
from vocab.escape import terminal_block, terminal_json, terminal_text
from vocab.format import fmt_number

NAME = "import-counts"
HELP = "Kiểm tra và ghi tệp số liệu kiểm đếm (CSV/XLSX) vào sổ số liệu"

log = logging.getLogger(__name__)

#: Problems printed in the text report (``--json`` gives them all).
MAX_PRINTED_PROBLEMS = 500


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="tệp .csv hoặc .xlsx")
    parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="ghi các dòng hợp lệ dù có dòng lỗi (mặc định: có dòng lỗi thì từ chối cả tệp)")
    parser.add_argument("--json", action="store_true", help="in báo cáo dạng JSON")
    add_as_argument(parser)
    add_database_url_argument(parser)


def format_report(result) -> str:
    """Plain-text report: summary line, file details, notes, then one line per problem."""
    lines = [result.message_vi]
    if result.table is not None:
        t = result.table
        how = f"mã hóa {t.encoding}, phân cách {t.separator!r}" if t.file_kind == "csv" else f"trang '{t.sheet}'"
        lines.append(f"Tệp {result.file_name}: {t.file_kind.upper()}, {how}, dòng tiêu đề {t.header_row}"
                     + (f"–{t.header_row + 1}" if t.header_rows == 2 else ""))
    if result.report is not None:
        lines += [f"Lưu ý: {n}" for n in result.report.notes]
        problems = result.report.problems
        lines += [str(p) for p in problems[:MAX_PRINTED_PROBLEMS]]
        if len(problems) > MAX_PRINTED_PROBLEMS:
            lines.append(f"… và {fmt_number(len(problems) - MAX_PRINTED_PROBLEMS)} lỗi khác (dùng --json để xem đủ).")
    lines += [_duplicate_line(d) for d in result.duplicates[:MAX_PRINTED_PROBLEMS]]
    if len(result.duplicates) > MAX_PRINTED_PROBLEMS:
        lines.append(f"… và {fmt_number(len(result.duplicates) - MAX_PRINTED_PROBLEMS)} dòng trùng khác "
                     "(dùng --json để xem đủ).")
    return "\n".join(lines)


def _duplicate_line(d) -> str:
    """``Dòng 7: trùng nội dung …`` for an :class:`ingest.importer.DuplicateRow`."""
    if d.where == "ledger":
        return f"Dòng {d.row}: trùng nội dung với số liệu đã ghi (lần tải {d.upload_id}), không ghi lại."
    return f"Dòng {d.row}: lặp lại dòng {d.same_as_row} của tệp, chỉ ghi một lần."


def run(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"Không tìm thấy tệp: {terminal_text(args.file)}", file=sys.stderr)
        return 2
    from ingest.importer import import_counts
    from store import open_store

    store = open_store(args.database_url)  # a GpmbError reaches cli.py
    progress = terminal_progress()  # a line on stderr when it is a terminal
    try:
        result = import_counts(path, store, dry_run=args.dry_run, skip_invalid=args.skip_invalid,
                               actor=acting_in(store, args), source="cli", client_address=client_address(),
                               progress=progress)
    finally:
        if progress is not None:
            progress.done()
    if args.json:
        print(terminal_json(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str)))
    else:
        print(terminal_block(format_report(result)))
    return result.exit_code

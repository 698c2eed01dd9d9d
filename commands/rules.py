"""``python cli.py rules show|set|history``: the computation rules kept in the store (issue 10).

- ``rules show [--as-of DATE]``: the rules text in force that day (default: now), as written.
- ``rules set FILE.yaml --as USER --reason TEXT``: replace the rules; the text is checked first by
  :func:`milestones.rules_check.validate_rules_text` (Vietnamese message naming the key or the YAML line).
- ``rules history [--json]``: every change: when (Vietnam time), who, size before → after, why.

Role ``edit_milestones`` (admin), maker–checker as for milestones. Exit code 0; 1 refused; 2 usage.
"""
from __future__ import annotations

from pathlib import Path

from commands._auth import acting_in, add_as_argument, client_address, dumps, outcome_text, printable
from commands._common import add_as_of_argument, add_database_url_argument
from commands.milestones import history_lines, history_records
from ingest.read import IngestError
from vocab.escape import terminal_block

NAME = "rules"
HELP = "Quy tắc tính toán (thời hạn, cửa sổ dự báo …) trong kho dữ liệu: xem, thay, lịch sử"

#: Largest rules file read.
MAX_BYTES = 1024 * 1024


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="rules_command", metavar="LỆNH", required=True)
    show = sub.add_parser("show", help="in quy tắc đang áp dụng", description="In quy tắc đang áp dụng")
    add_as_of_argument(show)
    change = sub.add_parser("set", help="thay quy tắc bằng một tệp YAML", description="Thay quy tắc")
    change.add_argument("file", metavar="FILE.yaml", type=Path, help="tệp YAML (như data/sources/rules.yaml)")
    change.add_argument("--reason", required=True, help="lý do thay đổi (bắt buộc)")
    add_as_argument(change)
    history = sub.add_parser("history", help="lịch sử thay đổi", description="Lịch sử thay đổi quy tắc")
    history.add_argument("--json", action="store_true", help="in dạng JSON (thời gian UTC, ISO 8601)")
    for p in (show, change, history):
        add_database_url_argument(p)


def read_rules_file(path: Path) -> str:
    """The text of a rules file (UTF-8, BOM allowed).

    Raises
    ------
    IngestError
        Missing, too large or not UTF-8.
    """
    if not path.is_file():
        raise IngestError(f"Không có tệp «{path.name}».")
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise IngestError(f"Tệp quy tắc «{path.name}» quá lớn ({len(raw)} byte; tối đa {MAX_BYTES}).")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IngestError(f"Tệp «{path.name}» không phải UTF-8.") from None


def run(args) -> int:
    """Run the subcommand; a :class:`domain.errors.GpmbError` (refusal) reaches ``cli.py``."""
    from milestones.rules_check import validate_rules_text
    from store import open_store

    store = open_store(args.database_url)
    try:
        if args.rules_command == "show":
            print(terminal_block(store.rules_text(as_of=args.as_of) or "(chưa có quy tắc: dùng giá trị mặc định)").rstrip("\n"))
        elif args.rules_command == "set":
            text = read_rules_file(args.file)
            outcome = store.set_rules(text, actor=acting_in(store, args), reason=args.reason,
                                      validate=validate_rules_text, client_address=client_address())
            if outcome.executed and outcome.result is None:
                print("Quy tắc đã đúng như tệp; không ghi gì.")
            else:
                print(printable(outcome_text(outcome, f"Đã thay quy tắc (thay đổi số {outcome.result}).")))
        else:
            frame = store.config_history("rules")
            print(dumps(history_records(frame)) if args.json else "\n".join(history_lines(frame)))
        return 0
    finally:
        store.close()

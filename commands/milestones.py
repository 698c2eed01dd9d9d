"""``python cli.py milestones list|set|import|export|history``: the milestones kept in the store (issue 10).

- ``milestones list [--as-of DATE] [--json]``: the milestones in force that day (default: now).
- ``milestones set ID [--target 95] [--due-date dd/mm/yyyy] [--label TEXT] --reason TEXT --as USER``.
- ``milestones import FILE.csv --as USER [--reason TEXT] [--dry-run] [--allow-remove N]``: the file is the
  whole table; the change set (added, changed, removed) is printed; removals need ``--allow-remove``
  with their exact count. Rows are checked against the parcels first (``validate_milestones``).
- ``milestones export [--as-of DATE] [--out FILE]``: CSV as Vietnamese Excel writes it (UTF-8 BOM, ``;``,
  decimal comma; ``exports.table_files.csv_bytes``) with the import's column names, so it imports back.
- ``milestones history [ID] [--json]``: every change: when (Vietnam time), who, before → after, why.

The store checks the role (``edit_milestones``: admin) and, with maker–checker on, records a proposal
that another account confirms (``cli.py proposals confirm N --as OTHER``). Exit code 0; 1 refused; 2 usage.
"""
from __future__ import annotations

import sys
from pathlib import Path

from commands._auth import acting_in, add_as_argument, client_address, dumps, outcome_text, printable, when_vn
from commands._common import add_as_of_argument, add_database_url_argument, as_of_date
from domain.errors import UsageError
from vocab.config import CONFIG_SOURCE_LABELS_VI, change_text
from vocab.format import fmt_number
from vocab.labels import metric_label

NAME = "milestones"
HELP = "Mốc tiến độ trong kho dữ liệu: xem, sửa, nhập/xuất tệp, lịch sử thay đổi"


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="milestones_command", metavar="LỆNH", required=True)
    listing = sub.add_parser("list", help="liệt kê mốc đang áp dụng", description="Liệt kê mốc tiến độ")
    add_as_of_argument(listing)
    listing.add_argument("--json", action="store_true", help="in dạng JSON")
    change = sub.add_parser("set", help="sửa một mốc", description="Sửa chỉ tiêu, hạn hoặc tên một mốc")
    change.add_argument("milestone_id", metavar="ID", help="mã mốc (xem: milestones list)")
    change.add_argument("--target", type=str, default=None, help="chỉ tiêu mới (%%, 0–100)")
    change.add_argument("--due-date", type=as_of_date, default=None, metavar="dd/mm/yyyy", help="hạn mới")
    change.add_argument("--label", default=None, help="tên mốc mới")
    change.add_argument("--reason", required=True, help="lý do thay đổi (bắt buộc)")
    imp = sub.add_parser("import", help="nhập cả bảng mốc từ tệp CSV", description="Nhập bảng mốc tiến độ")
    imp.add_argument("file", metavar="FILE.csv", type=Path, help="tệp CSV (cột như data/sources/milestones.csv)")
    imp.add_argument("--reason", default=None, help="lý do (mặc định: «Nhập tệp <tên tệp>»)")
    imp.add_argument("--dry-run", action="store_true", help="chỉ in các thay đổi, không ghi")
    imp.add_argument("--allow-remove", type=int, default=None, metavar="N",
                     help="cho phép xoá đúng N mốc không có trong tệp")
    export = sub.add_parser("export", help="xuất bảng mốc ra CSV", description="Xuất bảng mốc tiến độ")
    add_as_of_argument(export)
    export.add_argument("--out", type=Path, default=None, help="tệp CSV ghi ra (mặc định: in ra màn hình)")
    history = sub.add_parser("history", help="lịch sử thay đổi", description="Lịch sử thay đổi mốc tiến độ")
    history.add_argument("milestone_id", metavar="ID", nargs="?", default=None, help="chỉ mốc này")
    history.add_argument("--json", action="store_true", help="in dạng JSON (thời gian UTC, ISO 8601)")
    for p in (change, imp):
        add_as_argument(p)
    for p in (listing, change, imp, export, history):
        add_database_url_argument(p)


def run(args) -> int:
    """Run the subcommand; a :class:`domain.errors.GpmbError` (refusal) reaches ``cli.py``."""
    from store import open_store

    store = open_store(args.database_url)
    try:
        return {"list": _list, "set": _set, "import": _import, "export": _export,
                "history": _history}[args.milestones_command](store, args)
    finally:
        store.close()


def _list(store, args) -> int:
    frame = store.milestones(as_of=args.as_of)
    if args.json:
        print(dumps([{k: (None if v != v else v) for k, v in row.items()} for row in frame.to_dict("records")]))
        return 0
    if frame.empty:
        print("Chưa có mốc tiến độ nào.")
        return 0
    for row in frame.to_dict("records"):
        scope = "" if row["scope"] in (None, "project") else f" — {row['scope']}"
        print(printable(f"{row['milestone_id']}: {row['project_id']}{scope}, {metric_label(row['metric'])} "
                        f"{fmt_number(row['target_percent'], 1)}% trước {row['due_date']} — {row['label'] or ''}"))
    return 0


def _set(store, args) -> int:
    changes = {k: v for k, v in (("target_percent", args.target), ("due_date", args.due_date),
                                 ("label", args.label)) if v is not None}
    if not changes:
        raise UsageError("Cần ít nhất một thay đổi: --target, --due-date hoặc --label.")
    outcome = store.set_milestone(args.milestone_id, changes, actor=acting_in(store, args), reason=args.reason,
                                  client_address=client_address())
    if outcome.executed and outcome.result is None:
        print(printable(f"Mốc {args.milestone_id} đã đúng như vậy; không ghi gì."))
    else:
        print(printable(outcome_text(outcome, f"Đã sửa mốc {args.milestone_id} (thay đổi số {outcome.result}).")))
    return 0


def _import(store, args) -> int:
    from ingest.milestones_file import read_milestones_file
    from ingest.read import IngestError
    from milestones.status import validate_milestones

    table = read_milestones_file(args.file)
    _, problems = validate_milestones(table, store.parcels())
    if problems:
        raise IngestError("Tệp mốc tiến độ có lỗi, chưa ghi gì:\n" + "\n".join(f"- {p}" for p in problems))
    change_set = store.milestone_change_set(table)
    print("\n".join(printable(line) for line in change_set_text(change_set).splitlines()))
    if args.dry_run:
        return 0
    outcome = store.import_milestones(table, actor=acting_in(store, args), file_name=args.file.name,
                                      reason=args.reason or f"Nhập tệp {args.file.name}",
                                      allow_remove=args.allow_remove, client_address=client_address())
    if outcome.executed and change_set.empty:
        print("Tệp không thay đổi gì; không ghi gì.")
    else:
        print(printable(outcome_text(outcome, f"Đã nhập bảng mốc từ {args.file.name}.")))
    return 0


def change_set_text(change_set) -> str:
    """The change set of an import in lines: counts, then each added / changed / removed milestone."""
    lines = [(f"Thêm {len(change_set.added)}, sửa {len(change_set.changed)}, xoá {len(change_set.removed)}, "
             f"không đổi {change_set.unchanged} mốc.")]
    lines += [f"  + {r['milestone_id']}: {r['target_percent']:g}% trước {r['due_date']}" for r in change_set.added]
    lines += [f"  ~ {c['milestone_id']}: {change_text(c['before'], c['after'])}" for c in change_set.changed]
    lines += [f"  - {r['milestone_id']}" for r in change_set.removed]
    return "\n".join(lines)


def _export(store, args) -> int:
    from exports.table_files import csv_bytes

    data = csv_bytes(store.milestones(as_of=args.as_of))
    if args.out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    args.out.write_bytes(data)
    print(printable(f"Đã ghi {args.out}."))
    return 0


def history_records(frame) -> list[dict]:
    """Changes as JSON-ready dicts (``recorded_at`` ISO 8601 UTC)."""
    return [{**row, "recorded_at": row["recorded_at"].isoformat(), "change_id": int(row["change_id"]),
             "proposal_id": None if row["proposal_id"] is None or row["proposal_id"] != row["proposal_id"]
             else int(row["proposal_id"])} for row in frame.astype(object).to_dict("records")]


def history_lines(frame) -> list[str]:
    """One line per change: number, time (Vietnam), item, account, before → after, reason, source."""
    lines = []
    for row in frame.to_dict("records"):
        who = row["account"] or CONFIG_SOURCE_LABELS_VI.get(row["source"], row["source"])
        lines.append(printable(f"#{row['change_id']} {when_vn(row['recorded_at'].to_pydatetime())} {row['item']} — {who}: "
                               f"{change_text(row['before'], row['after'])} — {row['reason'] or ''}"))
    return lines


def _history(store, args) -> int:
    frame = store.config_history("milestone")
    if args.milestone_id is not None:
        frame = frame[frame["item"] == args.milestone_id]
    if args.json:
        print(dumps(history_records(frame)))
    else:
        print("\n".join(history_lines(frame)) or "Chưa có thay đổi nào.")
    return 0

"""``python cli.py proposals list|confirm|reject|cancel``: the maker–checker queue (issue 9).

- ``proposals list [--all] [--json] [--as USER]``: proposals waiting for a second account (``--all``: every
  one); with ``--as`` only those the account may see (a unit's account: its own and those of its units).
- ``proposals confirm ID --as USER``: carry the proposed action out; USER must not be its proposer and
  needs the action's role (admin). The store runs it in the transaction that marks it confirmed.
- ``proposals reject ID --as USER --reason TEXT``; ``proposals cancel ID --as PROPOSER``.

Every decision is recorded in the audit. Exit code 0; 1 when refused (Vietnamese message on stderr);
2 on usage errors (no ``--as``, unknown account, no reason).
"""
from __future__ import annotations

from commands._auth import acting_in, add_as_argument, client_address, dumps, printable, when_vn
from commands._common import add_database_url_argument
from vocab.roles import PROPOSAL_ACTION_LABELS_VI, PROPOSAL_STATUS_LABELS_VI

NAME = "proposals"
HELP = "Đề xuất chờ duyệt (hoàn tác, thay lớp xoá thửa, khôi phục): xem, duyệt, từ chối, huỷ"


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="proposals_command", metavar="LỆNH", required=True)
    listing = sub.add_parser("list", help="liệt kê đề xuất", description="Liệt kê đề xuất chờ duyệt")
    listing.add_argument("--all", action="store_true", help="cả các đề xuất đã quyết định")
    listing.add_argument("--json", action="store_true", help="in dạng JSON (thời gian UTC, ISO 8601)")
    add_as_argument(listing)
    confirm = sub.add_parser("confirm", help="duyệt và thực hiện", description="Duyệt và thực hiện một đề xuất")
    reject = sub.add_parser("reject", help="từ chối", description="Từ chối một đề xuất")
    reject.add_argument("--reason", required=True, help="lý do từ chối")
    cancel = sub.add_parser("cancel", help="huỷ đề xuất của mình", description="Huỷ đề xuất do mình đưa ra")
    for p in (confirm, reject, cancel):
        p.add_argument("proposal_id", metavar="ID", type=int, help="số đề xuất (xem: proposals list)")
        add_as_argument(p)
    for p in (listing, confirm, reject, cancel):
        add_database_url_argument(p)


def run(args) -> int:
    """Run the subcommand; a :class:`domain.errors.GpmbError` (refusal) reaches ``cli.py``."""
    from store import open_store

    store = open_store(args.database_url)
    try:
        if args.proposals_command == "list":
            account = acting_in(store, args) if args.as_user else None
            frame = store.proposals(None if args.all else "pending", account=account)
            print(dumps(to_records(frame)) if args.json else format_table(frame))
            return 0
        actor, where = acting_in(store, args), client_address()
        if args.proposals_command == "confirm":
            store.confirm_proposal(args.proposal_id, actor=actor, client_address=where)
            print(f"Đã duyệt và thực hiện đề xuất số {args.proposal_id}.")
        elif args.proposals_command == "reject":
            store.reject_proposal(args.proposal_id, actor=actor, reason=args.reason, client_address=where)
            print(f"Đã từ chối đề xuất số {args.proposal_id}.")
        else:
            store.cancel_proposal(args.proposal_id, actor=actor, client_address=where)
            print(f"Đã huỷ đề xuất số {args.proposal_id}.")
        return 0
    finally:
        store.close()


def to_records(frame) -> list[dict]:
    """Proposals as JSON-ready dicts (times ISO 8601 UTC; the import reports of a layer left out)."""
    out = []
    for row in frame.to_dict("records"):
        payload = {k: v for k, v in row["payload"].items() if k != "reports"}
        out.append({**row, "payload": payload, "proposal_id": int(row["proposal_id"]),
                    "proposed_at": row["proposed_at"].isoformat(),
                    "decided_at": None if row["decided_at"] is None or row["decided_at"] != row["decided_at"]
                    else row["decided_at"].isoformat()})
    return out


def format_table(frame) -> str:
    """One line per proposal: number, action, target, proposer, time (Vietnam), status."""
    if frame.empty:
        return "Không có đề xuất nào."
    lines = []
    for row in frame.to_dict("records"):
        decided = "" if row["decided_by"] is None else f" — {row['decided_by']}"
        reason = f" ({row['reason']})" if row["reason"] else ""
        lines.append(printable(
            f"#{int(row['proposal_id'])} {PROPOSAL_ACTION_LABELS_VI.get(row['action'], row['action'])} "
            f"«{row['target']}», đề xuất bởi {row['proposed_by']} lúc {when_vn(row['proposed_at'].to_pydatetime())}: "
            f"{PROPOSAL_STATUS_LABELS_VI.get(row['status'], row['status'])}{decided}{reason}"))
    return "\n".join(lines)

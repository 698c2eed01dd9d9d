"""``python cli.py revert UPLOAD_ID --as USER [--reason TEXT]``: revert one upload (or propose it).

The store checks the account's role (``revert``: admin). With maker–checker on (the default) the revert
is proposed and waits for another account (``cli.py proposals confirm ID --as OTHER``); off, it runs at
once. Either way it is recorded in the audit, and a revert deletes nothing. Exit code 0 when reverted or
proposed, 1 when refused (unknown or already reverted upload, a role without the right, a store that
cannot be opened), 2 on usage errors (UPLOAD_ID not a number, no ``--as``).
"""
from __future__ import annotations

from commands._auth import acting_in, add_as_argument, client_address, outcome_text
from commands._common import add_database_url_argument

NAME = "revert"
HELP = "Hoàn tác một lần tải lên số liệu kiểm đếm (ghi lại, không xóa; cần người thứ hai duyệt)"


def add_arguments(parser) -> None:
    parser.add_argument("upload_id", metavar="UPLOAD_ID", type=int, help="số của lần tải lên (xem: cli.py uploads)")
    parser.add_argument("--reason", default="", help="lý do hoàn tác")
    add_as_argument(parser)
    add_database_url_argument(parser)


def run(args) -> int:
    """Revert or propose reverting ``args.upload_id``; a :class:`domain.errors.GpmbError` reaches ``cli.py``."""
    from store import open_store

    store = open_store(args.database_url)
    outcome = store.revert_upload(args.upload_id, actor=acting_in(store, args), reason=args.reason,
                                  client_address=client_address())
    row = store.uploads().set_index("upload_id").loc[args.upload_id]
    print(outcome_text(outcome, f"Đã hoàn tác lần tải lên số {args.upload_id} ({row.file_name}, {row.rows_committed} "
                                f"sự kiện không còn được tính); thao tác hoàn tác số {row.reverted_by_upload_id}."))
    return 0

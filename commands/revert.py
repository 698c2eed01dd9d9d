"""``python cli.py revert UPLOAD_ID [--by NAME] [--reason TEXT]``: revert one upload.

The revert is recorded (who, when, why) and the upload's events stop counting; nothing is deleted.
Exit code 0 when reverted, 1 for an unknown or already reverted upload (Vietnamese message) or a
store that cannot be opened, 2 on usage errors (e.g. UPLOAD_ID not a number).
"""
from __future__ import annotations

from commands._common import add_database_url_argument, default_user

NAME = "revert"
HELP = "Hoàn tác một lần tải lên số liệu kiểm đếm (ghi lại, không xóa)"


def add_arguments(parser) -> None:
    parser.add_argument("upload_id", metavar="UPLOAD_ID", type=int, help="số của lần tải lên (xem: cli.py uploads)")
    parser.add_argument("--by", default=None, help="người hoàn tác (mặc định: tên người dùng máy)")
    parser.add_argument("--reason", default="", help="lý do hoàn tác")
    add_database_url_argument(parser)


def run(args) -> int:
    """Revert ``args.upload_id``; a :class:`store.StoreError` (unknown or already reverted upload, a store
    that cannot be opened or written) propagates to ``cli.py`` (its message, exit code 1)."""
    from store import open_store

    store = open_store(args.database_url)
    store.revert_upload(args.upload_id, by=args.by or default_user(), reason=args.reason)
    uploads = store.uploads().set_index("upload_id")
    row = uploads.loc[args.upload_id]
    print(f"Đã hoàn tác lần tải lên số {args.upload_id} ({row.file_name}, {row.rows_committed} sự kiện không còn "
          f"được tính); thao tác hoàn tác số {row.reverted_by_upload_id}.")
    return 0

"""``python cli.py revert UPLOAD_ID [--by NAME] [--reason TEXT]``: revert one upload.

The revert is recorded (who, when, why) and the upload's events stop counting; nothing is deleted.
Exit code 0 when reverted, 1 for an unknown or already reverted upload (Vietnamese message) or a
store that cannot be opened, 2 on usage errors (e.g. UPLOAD_ID not a number).
"""
from __future__ import annotations

import logging
import sys

from commands._common import add_database_url_argument, default_user, open_cli_store

NAME = "revert"
HELP = "Hoàn tác một lần tải lên số liệu kiểm đếm (ghi lại, không xóa)"

log = logging.getLogger(__name__)


def add_arguments(parser) -> None:
    parser.add_argument("upload_id", metavar="UPLOAD_ID", type=int, help="số của lần tải lên (xem: cli.py uploads)")
    parser.add_argument("--by", default=None, help="người hoàn tác (mặc định: tên người dùng máy)")
    parser.add_argument("--reason", default="", help="lý do hoàn tác")
    add_database_url_argument(parser)


def run(args) -> int:
    from store import StoreError

    store = open_cli_store(args.database_url, log)
    if store is None:
        return 1
    try:
        store.revert_upload(args.upload_id, by=args.by or default_user(), reason=args.reason)
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    uploads = store.uploads().set_index("upload_id")
    row = uploads.loc[args.upload_id]
    print(f"Đã hoàn tác lần tải lên số {args.upload_id} ({row.file_name}, {row.rows_committed} sự kiện không còn "
          f"được tính); thao tác hoàn tác số {row.reverted_by_upload_id}.")
    return 0

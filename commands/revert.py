"""``python cli.py revert UPLOAD_ID [--by NAME] [--reason TEXT]``: revert one upload.

The revert is recorded (who, when, why) and the upload's events stop counting; nothing is deleted.
Exit code 0 when reverted, 1 for an unknown or already reverted upload (Vietnamese message) or a
store that cannot be opened, 2 on usage errors (e.g. UPLOAD_ID not a number).
"""
from __future__ import annotations

import getpass
import logging
import sys

NAME = "revert"
HELP = "Hoàn tác một lần tải lên số liệu kiểm đếm (ghi lại, không xóa)"

log = logging.getLogger(__name__)


def add_arguments(parser) -> None:
    parser.add_argument("upload_id", metavar="UPLOAD_ID", type=int, help="số của lần tải lên (xem: cli.py uploads)")
    parser.add_argument("--by", default=None, help="người hoàn tác (mặc định: tên người dùng máy)")
    parser.add_argument("--reason", default="", help="lý do hoàn tác")
    parser.add_argument("--database-url", default=None,
                        help="kho dữ liệu (mặc định: $DATABASE_URL hoặc data/gpmb.gpkg)")


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "cli"


def run(args) -> int:
    from store import StoreError, open_store

    try:
        store = open_store(args.database_url)
    except Exception as exc:  # noqa: BLE001 - a message, not a traceback
        log.exception("open_store failed")
        print(f"Không mở được kho dữ liệu ({type(exc).__name__}: {exc}).", file=sys.stderr)
        return 1
    try:
        store.revert_upload(args.upload_id, by=args.by or _default_user(), reason=args.reason)
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    uploads = store.uploads().set_index("upload_id")
    row = uploads.loc[args.upload_id]
    print(f"Đã hoàn tác lần tải lên số {args.upload_id} ({row.file_name}, {row.rows_committed} sự kiện không còn "
          f"được tính); thao tác hoàn tác số {row.reverted_by_upload_id}.")
    return 0

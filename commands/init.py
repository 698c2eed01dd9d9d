"""``python cli.py init [--demo] [--url URL]``: make a new store on purpose (issue 10).

Creates the schema and the store's identity (``store_meta``: ``store_id``, ``created_at``,
``application``; one ``store_initialised`` audit row by the system, as no account exists yet), and with
``--demo`` fills it from the bundled ``data/sources/`` (``$GPMB_SOURCES_DIR``). Without ``--demo`` the
store is empty: create the first administrator (``users add``, or the dashboard's first-run form) and
import projects and parcels. Refuses to write over an existing file or a database that has tables.
``--url`` (or ``--database-url``; default ``$DATABASE_URL`` or ``data/gpmb.gpkg``). Exit code 0; 1 refused.
"""
from __future__ import annotations

from vocab.format import fmt_datetime_utc

NAME = "init"
HELP = "Tạo kho dữ liệu mới (--demo: kèm dữ liệu mẫu của data/sources)"


def add_arguments(parser) -> None:
    parser.add_argument("--demo", action="store_true", help="nạp dữ liệu mẫu từ data/sources (hoặc $GPMB_SOURCES_DIR)")
    parser.add_argument("--url", "--database-url", dest="database_url", default=None, metavar="URL",
                        help="kho cần tạo: tệp .gpkg mới hoặc cơ sở dữ liệu PostGIS rỗng "
                             "(mặc định: $DATABASE_URL hoặc data/gpmb.gpkg)")


def run(args) -> int:
    """Create the store; a :class:`domain.errors.GpmbError` (refusal) reaches ``cli.py``."""
    from store import init_store

    store = init_store(args.database_url, demo=args.demo)
    try:
        ident = store.identity()
        what = "kèm dữ liệu mẫu" if args.demo else "rỗng (chưa có dự án, thửa đất, số liệu)"
        print(f"Đã tạo kho dữ liệu {ident.location}, {what}.")
        print(f"Mã kho: {ident.store_id}; tạo lúc {fmt_datetime_utc(ident.created_at)}.")
        if not args.demo:
            print("Tiếp theo: tạo tài khoản quản trị (python cli.py users add …), rồi thêm dự án và thửa đất "
                  "(python cli.py add-project / import-parcels).")
        return 0
    finally:
        store.close()

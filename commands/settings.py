"""``python cli.py settings show`` / ``settings set KEY VALUE --as ADMIN``: the store's settings (issue 9).

Settings: ``maker_checker`` (``on`` by default: a revert, a parcel-removing layer replacement and a
restore wait for a second account; ``off`` for a one-person office, and the audit says so). Only an
admin changes a setting (checked by the store); each change is audited. Exit code 0; 1 refused; 2 usage.
"""
from __future__ import annotations

from commands._auth import acting_in, add_as_argument, client_address
from commands._common import add_database_url_argument
from domain.roles import SETTINGS_DEFAULTS, SETTINGS_VALUES

NAME = "settings"
HELP = "Xem và thay đổi cài đặt của kho dữ liệu (maker_checker)"


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="settings_command", metavar="LỆNH", required=True)
    show = sub.add_parser("show", help="xem cài đặt", description="Xem cài đặt")
    change = sub.add_parser("set", help="thay đổi cài đặt (quản trị)", description="Thay đổi một cài đặt")
    change.add_argument("key", choices=sorted(SETTINGS_DEFAULTS), metavar="KEY",
                        help=f"tên cài đặt: {', '.join(SETTINGS_DEFAULTS)}")
    change.add_argument("value", metavar="VALUE",
                        help="; ".join(f"{k}: {'|'.join(v)}" for k, v in SETTINGS_VALUES.items()))
    add_as_argument(change)
    for p in (show, change):
        add_database_url_argument(p)


def run(args) -> int:
    """Show or change settings; a :class:`domain.errors.GpmbError` (refusal) reaches ``cli.py``."""
    from store import open_store
    from store.settings import Settings

    store = open_store(args.database_url)
    try:
        settings = Settings(store)
        if args.settings_command == "set":
            settings.set(args.key, args.value, actor=acting_in(store, args), client_address=client_address())
            print(f"Đã đặt {args.key} = {args.value}.")
            return 0
        for key, value in settings.all().items():
            print(f"{key} = {value}")
        return 0
    finally:
        store.close()

"""``python cli.py units list|add|assign``: the units sharing a store (issue 10, province server).

- ``units list [--json]``: code, name, province and project count of each unit.
- ``units add CODE --name TEXT --province TEXT --as ADMIN``: a new unit (province-level administrators).
- ``units assign PROJECT_ID UNIT --as ADMIN``: move a project to a unit (a new version of the
  ``projects`` layer, audited as every layer replacement; maker–checker does not apply: no parcel goes).

Exit code 0; 1 refused (Vietnamese message on stderr) or the store cannot be opened; 2 usage.
"""
from __future__ import annotations

from commands._auth import acting_in, add_as_argument, client_address, dumps, printable
from commands._common import add_database_url_argument
from domain.errors import UsageError

NAME = "units"
HELP = "Đơn vị dùng chung kho dữ liệu (huyện/xã chủ quản dự án): liệt kê, thêm, gán dự án"


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="units_command", metavar="LỆNH", required=True)
    listing = sub.add_parser("list", help="liệt kê đơn vị", description="Liệt kê đơn vị")
    listing.add_argument("--json", action="store_true", help="in dạng JSON")
    add = sub.add_parser("add", help="thêm đơn vị (quản trị cấp tỉnh)", description="Thêm đơn vị")
    add.add_argument("code", metavar="CODE", help="mã đơn vị (mã GSO của huyện/xã, ví dụ 183)")
    add.add_argument("--name", required=True, help="tên đơn vị, ví dụ «Huyện Cao Lộc»")
    add.add_argument("--province", required=True, help="tỉnh, ví dụ «Lạng Sơn»")
    assign = sub.add_parser("assign", help="gán dự án cho đơn vị (quản trị)", description="Gán dự án cho đơn vị")
    assign.add_argument("project_id", metavar="PROJECT_ID")
    assign.add_argument("unit", metavar="UNIT", help="mã hoặc tên đơn vị")
    for p in (add, assign):
        add_as_argument(p)
    for p in (listing, add, assign):
        add_database_url_argument(p)


def run(args) -> int:
    """List, add or assign; a :class:`domain.errors.GpmbError` (refusal) reaches ``cli.py``."""
    from store import open_store

    store = open_store(args.database_url)
    try:
        return _COMMANDS[args.units_command](store, args)
    finally:
        store.close()


def _list(store, args) -> int:
    table = store.units()
    counts = store.projects()["unit"].astype(str).value_counts() if len(store.projects()) else {}
    rows = [{"unit_code": r.unit_code, "name": r.name, "province": r.province,
             "projects": int(counts.get(str(r.unit_code), 0))} for r in table.itertuples()]
    if args.json:
        print(dumps(rows))
    else:
        for r in rows:
            print(printable(f"{r['unit_code']:<8} | {r['name']:<28} | {r['province']:<16} | {r['projects']} dự án"))
        if not rows:
            print("Chưa có đơn vị nào.")
    return 0


def _add(store, args) -> int:
    row = store.add_unit(args.code, args.name, args.province, actor=acting_in(store, args),
                         client_address=client_address())
    print(printable(f"Đã thêm đơn vị {row['unit_code']} – {row['name']} ({row['province']})."))
    return 0


def _assign(store, args) -> int:
    from store.engine import read_connection
    from store.units import resolve_unit

    actor = acting_in(store, args)
    with read_connection(store.engine) as conn:
        code = resolve_unit(conn, args.unit)
    expected = store.data_version()["layers"].get("projects", 0)  # read before the layer it guards
    projects = store.projects()
    chosen = projects["project_id"].astype(str) == str(args.project_id)
    if not chosen.any():
        raise UsageError(f"Không có dự án «{printable(args.project_id)}»; các mã: {', '.join(projects['project_id'])}.")
    before = str(projects.loc[chosen, "unit"].iloc[0])
    projects.loc[chosen, "unit"] = code
    version = store.replace_layer("projects", projects, actor=actor, client_address=client_address(),
                                  report={"gan_don_vi": {"project_id": str(args.project_id), "truoc": before, "sau": code}},
                                  expected_version=expected)
    print(printable(f"Dự án {args.project_id}: đơn vị {before} → {code} (lớp projects phiên bản {version})."))
    return 0


_COMMANDS = {"list": _list, "add": _add, "assign": _assign}

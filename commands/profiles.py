"""``python cli.py profiles list`` / ``profiles show NAME`` / ``profiles save NAME (--map COT=TRUONG … | --map-file F) --as USER``.

Source profiles (issue 10): named attribute mappings kept in the store, applied to a parcel import
only when it names one (``import-parcels --profile NAME``). Saving adds a version (author, time,
audited); nothing is overwritten. ``--map-file`` turns an old ``data/attribute_mapping.yaml`` (no
longer applied by itself) into a profile. Exit code 0; 1 refused; 2 usage.
"""
from __future__ import annotations

from pathlib import Path

from commands._auth import acting_in, add_as_argument, client_address, when_vn
from commands._common import add_database_url_argument
from commands._geo_args import usage_error
from vocab.escape import terminal_block

NAME = "profiles"
HELP = "Hồ sơ nguồn: ánh xạ thuộc tính đã lưu, chỉ áp dụng khi được chọn (--profile)"


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="profiles_command", metavar="LỆNH", required=True)
    listing = sub.add_parser("list", help="liệt kê hồ sơ nguồn", description="Liệt kê hồ sơ nguồn")
    show = sub.add_parser("show", help="xem một hồ sơ", description="Xem ánh xạ của một hồ sơ nguồn")
    show.add_argument("name", metavar="TEN")
    save = sub.add_parser("save", help="lưu hồ sơ (phiên bản mới)", description="Lưu một hồ sơ nguồn")
    save.add_argument("name", metavar="TEN")
    save.add_argument("--map", action="append", default=[], metavar="COT=TRUONG",
                      help="ánh xạ một cột, ví dụ --map SHBD=map_sheet (lặp lại được; TRUONG rỗng = bỏ cột)")
    save.add_argument("--map-file", help="tệp YAML 'cột: trường' (ví dụ data/attribute_mapping.yaml cũ)")
    save.add_argument("--note", default="", help="ghi chú (nguồn tệp, đơn vị gửi)")
    add_as_argument(save)
    for p in (listing, show, save):
        add_database_url_argument(p)


def _mapping(args) -> dict:
    from cadastre.attributes import load_saved_mapping
    from commands.import_parcels import parse_mapping

    try:
        mapping = load_saved_mapping(Path(args.map_file)) if args.map_file else {}
        mapping.update(parse_mapping(args.map))
    except (OSError, ValueError) as exc:
        raise usage_error(exc) from exc
    if not mapping:
        raise usage_error(ValueError("cần --map hoặc --map-file"))
    return mapping


def run(args) -> int:
    """List, show or save profiles; a :class:`domain.errors.GpmbError` (refusal) reaches ``cli.py``."""
    from cadastre.profiles import save_profile
    from store import SourceProfiles, open_store

    mapping = _mapping(args) if args.profiles_command == "save" else None
    store = open_store(args.database_url)
    try:
        profiles = SourceProfiles(store)
        if args.profiles_command == "save":
            version = save_profile(store, args.name, mapping, actor=acting_in(store, args), note=args.note,
                                   client_address=client_address())
            print(terminal_block(f"Đã lưu hồ sơ nguồn «{args.name}», phiên bản {version} ({len(mapping)} cột)."))
        elif args.profiles_command == "show":
            profile = profiles.get(args.name)
            head = (f"Hồ sơ «{profile['name']}» phiên bản {profile['version']}, {profile['created_by']}, "
                    f"{when_vn(profile['created_at'])}")
            lines = [head]
            lines += [f"  {source} → {target or '(bỏ qua)'}" for source, target in profile["mapping"].items()]
            print(terminal_block("\n".join(lines)))
        else:
            table = profiles.list()
            if table.empty:
                print("Chưa có hồ sơ nguồn nào.")
            for row in table.itertuples(index=False):
                print(terminal_block(f"{row.name}: phiên bản {row.version}, {len(row.mapping)} cột, "
                                     f"{row.created_by}, {when_vn(row.created_at)}"))
        return 0
    finally:
        store.close()

"""``python cli.py export``: meeting exports from the command line (scripted meeting packs).

    python cli.py export --as-of 2024-06-30 --format pdf --paper A3 --orientation landscape --out pack/
    python cli.py export --as-of 2024-06-30 --format xlsx --project QL4B --out ql4b.xlsx
    python cli.py export --as-of 2024-06-30 --format gpkg --out tien-do.gpkg   # for QGIS (exports.gpkg)

Same code path as the dashboard: ``store.open_store()`` → ``compute_snapshot(store, as_of)`` →
``exports.export``. Exit code 0 (file written), 1 (store or data problem, nothing written), 2 (usage).
The file is written to a temporary name in the target folder and renamed when complete, so an
interrupted export never leaves a half-written file under the final name.

``--include-personal-data`` (owner names in the xlsx parcel table and the html tooltips) needs
``--as USER`` with the ``export_personal`` permission (officer, admin): the file name ends in
``_CO_DU_LIEU_CA_NHAN``, the file says so, and the export is recorded in the audit
(``exports.personal.export_as``). With ``--as USER`` the export holds only that account's units'
projects (``store.scoped``, issue 10).
"""
from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

from commands._auth import acting_in, add_as_argument, client_address, printable, reader_for, report
from commands._common import add_as_of_argument, add_database_url_argument, terminal_progress
from domain.errors import GpmbError
from vocab.format import fmt_number

NAME = "export"
HELP = "Xuất bản đồ HTML, bản đồ in PDF/PNG hoặc báo cáo Excel tại một ngày số liệu"

log = logging.getLogger(__name__)


def add_arguments(parser) -> None:
    add_as_of_argument(parser, required=True)
    parser.add_argument("--format", required=True, choices=["html", "pdf", "png", "xlsx", "gpkg"], dest="fmt",
                        help="html: bản đồ tương tác ngoại tuyến; pdf/png: bản đồ in; xlsx: báo cáo Excel; "
                             "gpkg: GeoPackage thửa đất và tiến độ tại ngày số liệu, mở bằng QGIS")
    parser.add_argument("--project", default=None, metavar="ID", help="chỉ một dự án (vd. QL4B, CT_HNCL)")
    parser.add_argument("--paper", default="A3", type=str.upper, choices=["A3", "A4"], help="khổ giấy (mặc định A3)")
    parser.add_argument("--orientation", default="landscape", choices=["landscape", "portrait"],
                        help="hướng giấy: landscape (ngang, mặc định) hoặc portrait (dọc)")
    parser.add_argument("--pages", default="overview+projects", choices=["overview+projects", "overview", "projects"],
                        help="bản đồ PDF: trang tổng quan + mỗi dự án một trang (mặc định), chỉ tổng quan, "
                             "hoặc chỉ các trang dự án")
    parser.add_argument("--dpi", default=300, type=int, help="độ phân giải PNG (mặc định 300)")
    parser.add_argument("--include-personal-data", action="store_true",
                        help="kèm họ tên chủ sử dụng đất (báo cáo Excel, chú thích bản đồ html, cột owner_name "
                             "của GeoPackage; cần --as "
                             "tài khoản cán bộ TTPTQĐ hoặc quản trị; tên tệp và tệp ghi rõ CÓ DỮ LIỆU CÁ NHÂN)")
    parser.add_argument("--out", default=None, metavar="PATH",
                        help="tệp hoặc thư mục đích (mặc định: tên tự đặt trong thư mục hiện tại)")
    add_database_url_argument(parser)
    add_as_argument(parser)


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args) -> int:
    from exports import ExportOptions
    from exports.personal import export_as

    as_of = args.as_of
    try:
        options = ExportOptions(project_id=args.project, paper=args.paper, orientation=args.orientation,
                                include_personal_data=args.include_personal_data, pages=args.pages, dpi=args.dpi)
    except ValueError as exc:
        print(printable(f"Lỗi: {exc}"), file=sys.stderr)
        return 2
    if args.include_personal_data and not getattr(args, "as_user", None):
        print("Lỗi: --include-personal-data cần --as TÊN (tài khoản cán bộ TTPTQĐ hoặc quản trị).", file=sys.stderr)
        return 2
    if args.include_personal_data and args.fmt in ("pdf", "png"):
        print("Lưu ý: bản đồ in (pdf/png) không thể hiện họ tên; --include-personal-data có tác dụng "
              "với xlsx (bảng thửa) và html (chú thích khi di chuột lên thửa).", file=sys.stderr)
    try:
        from milestones.snapshot import compute_snapshot
        from store import open_store

        store = open_store(args.database_url)
        account = acting_in(store, args) if args.include_personal_data else None
        reader = reader_for(store, args)  # --as: that account's units only
        snapshot = compute_snapshot(reader, as_of)
        progress = terminal_progress()  # "Vẽ trang PDF 3/12…" on stderr when it is a terminal
        try:
            result = export_as(account, args.fmt, snapshot, reader, options, client_address=client_address(),
                               progress=progress)
        finally:
            if progress is not None:
                progress.done()
    except GpmbError as exc:
        return report(exc)
    except (ValueError, FileNotFoundError) as exc:
        log.debug("export refused", exc_info=True)
        print(printable(f"Lỗi: {exc}"), file=sys.stderr)
        return 1
    out = Path(args.out) if args.out else Path(result.file_name)
    if args.out and (out.is_dir() or str(args.out).endswith(("/", os.sep))):
        out = out / result.file_name
    try:
        _write_atomically(out, result.data)
    except OSError as exc:
        print(printable(f"Lỗi: không ghi được tệp {out}: {exc}"), file=sys.stderr)
        return 1
    size_kb = fmt_number(len(result.data) / 1024)
    print(printable(f"Đã xuất {out} ({size_kb} kB) – số liệu đến ngày {as_of:%d/%m/%Y}, "
          f"lần cập nhật số {snapshot.data_version.get('last_upload_id')}"))
    return 0

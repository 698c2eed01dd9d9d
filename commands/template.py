"""``python cli.py template --out FILE.xlsx|FILE.csv [--kind counts|households|plans|payments|refusals|transfers|complaints|lots|areas]``.

Without ``--kind`` (or ``counts``): the field-count template. A register kind writes that register's
template (:mod:`exports.register_templates`: XLSX with drop-down lists, or the CSV header line).
"""
from __future__ import annotations

from domain.errors import GpmbError, UsageError

NAME = "template"
HELP = ("Tạo tệp mẫu số liệu kiểm đếm hoặc sổ hộ dân / phương án / chi trả / đơn thư / lô / khu tái định cư "
        "(.xlsx có danh sách chọn, hoặc .csv UTF-8 ';')")

REGISTER_KINDS = ("households", "plans", "payments", "refusals", "transfers", "complaints", "lots", "areas")


def add_arguments(parser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE", help="tệp .xlsx hoặc .csv cần tạo")
    parser.add_argument("--kind", choices=("counts", *REGISTER_KINDS), default="counts",
                        help="loại mẫu (mặc định: counts, số liệu kiểm đếm)")


def _bytes(kind: str, out: str) -> bytes:
    if kind == "counts":
        from exports.template_files import template_bytes

        return template_bytes(out)  # a UsageError for another suffix
    from exports.register_templates import register_template_csv, register_template_xlsx

    suffix = out.lower().rsplit(".", 1)[-1]
    if suffix not in ("xlsx", "csv"):
        raise UsageError(f"Tệp mẫu phải có đuôi .xlsx hoặc .csv: {out}")
    return register_template_xlsx(kind) if suffix == "xlsx" else register_template_csv(kind)


def run(args) -> int:
    """Write the template; an unsupported suffix is a usage error (exit 2), a file that cannot be
    written a refusal (exit 1), both reported by ``cli.py``."""
    from pathlib import Path

    data = _bytes(getattr(args, "kind", "counts"), args.out)
    path = Path(args.out)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise GpmbError(f"Không ghi được tệp {args.out}: {exc.strerror}") from exc
    print(f"Đã tạo tệp mẫu: {path}")
    return 0

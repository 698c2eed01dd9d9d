"""``python cli.py template --out FILE.xlsx|FILE.csv``: write the field-count template."""
from __future__ import annotations

from domain.errors import GpmbError

NAME = "template"
HELP = "Tạo tệp mẫu số liệu kiểm đếm (.xlsx có hướng dẫn và danh sách giai đoạn, hoặc .csv UTF-8 ';')"


def add_arguments(parser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE", help="tệp .xlsx hoặc .csv cần tạo")


def run(args) -> int:
    """Write the template; an unsupported suffix is a usage error (exit 2), a file that cannot be
    written a refusal (exit 1), both reported by ``cli.py``."""
    from pathlib import Path

    from exports.template_files import template_bytes

    data = template_bytes(args.out)  # a UsageError for another suffix
    path = Path(args.out)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise GpmbError(f"Không ghi được tệp {args.out}: {exc.strerror}") from exc
    print(f"Đã tạo tệp mẫu: {path}")
    return 0

"""``python cli.py template --out FILE.xlsx|FILE.csv``: write the field-count template."""
from __future__ import annotations

from domain.errors import GpmbError, UsageError

NAME = "template"
HELP = "Tạo tệp mẫu số liệu kiểm đếm (.xlsx có hướng dẫn và danh sách giai đoạn, hoặc .csv UTF-8 ';')"


def add_arguments(parser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE", help="tệp .xlsx hoặc .csv cần tạo")


def run(args) -> int:
    """Write the template; an unsupported suffix is a usage error (exit 2), a file that cannot be
    written a refusal (exit 1), both reported by ``cli.py``."""
    from ingest.template import write_template

    try:
        path = write_template(args.out)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    except OSError as exc:
        raise GpmbError(f"Không ghi được tệp {args.out}: {exc.strerror}") from exc
    print(f"Đã tạo tệp mẫu: {path}")
    return 0

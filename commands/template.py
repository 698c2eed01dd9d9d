"""``python cli.py template --out FILE.xlsx|FILE.csv``: write the field-count template."""
from __future__ import annotations

import sys

NAME = "template"
HELP = "Tạo tệp mẫu số liệu kiểm đếm (.xlsx có hướng dẫn và danh sách giai đoạn, hoặc .csv UTF-8 ';')"


def add_arguments(parser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE", help="tệp .xlsx hoặc .csv cần tạo")


def run(args) -> int:
    from ingest.template import write_template

    try:
        path = write_template(args.out)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Không ghi được tệp {args.out}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"Đã tạo tệp mẫu: {path}")
    return 0

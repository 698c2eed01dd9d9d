"""GPMB Tracker command line: ``python cli.py SUBCOMMAND --help``.

Each subcommand is a module in ``commands/`` that defines ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``. The CLI and the dashboard call the same
functions below them, so their figures cannot disagree.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cli.py", description="GPMB Tracker – theo dõi tiến độ GPMB")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"commands.{info.name}")
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    return int(args._run(args))


if __name__ == "__main__":
    sys.exit(main())

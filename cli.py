"""GPMB Tracker command line: ``python cli.py [--debug] SUBCOMMAND --help``.

Each subcommand is a module in ``commands/`` that defines ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``. The CLI and the dashboard call the same
functions below them, so their figures cannot disagree.

Errors are mapped here, in one place (DATA_MODEL.md, "CLI"): a :class:`domain.errors.GpmbError` raised
by a command prints its ``message_vi`` on stderr and exits with its ``exit_code``; any other exception
prints a short Vietnamese message and exits 1. No traceback reaches the user, unless ``--debug`` or
``GPMB_DEBUG=1`` asks for it (then log records and tracebacks go to stderr too).
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import re
import sys
from datetime import date
from pathlib import Path

import commands
from domain.errors import EXIT_REJECTED, GpmbError

log = logging.getLogger("cli")

#: Environment variable that turns ``--debug`` on (``GPMB_DEBUG=1``).
DEBUG_ENV = "GPMB_DEBUG"

UNEXPECTED_VI = ("Lỗi ngoài dự kiến ({kind}); chưa hoàn tất lệnh. Chạy lại với --debug (hoặc GPMB_DEBUG=1) "
                 "để xem chi tiết kỹ thuật, và gửi nó cho người quản trị.")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``cli.py`` parser: ``--debug`` and one subparser per module of ``commands/``; with ``only`` (a
    subcommand name such as ``import-counts``) just that one, so a call imports only its own module."""
    parser = argparse.ArgumentParser(prog="cli.py", description="GPMB Tracker – theo dõi tiến độ GPMB")
    parser.add_argument("--debug", action="store_true",
                        help=f"in chi tiết kỹ thuật (nhật ký, traceback) khi có lỗi; như {DEBUG_ENV}=1")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or (only is not None and info.name != only.replace("-", "_")):
            continue
        module = importlib.import_module(f"commands.{info.name}")
        # argparse %-formats a subcommand's help in the top-level list (not its description): a literal % is escaped
        p = sub.add_parser(module.NAME, help=module.HELP.replace("%", "%%"), description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def debug_from_environment() -> bool:
    """True when ``GPMB_DEBUG`` is set to anything but ``""`` or ``0``."""
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def configure_logging(debug: bool) -> None:
    """Send log records to stderr the way a user of the CLI should see them.

    ``debug``: every record from DEBUG up, with tracebacks. Otherwise warnings and errors as their
    message alone, and records that carry an exception (``log.exception``) not at all: the command that
    logged them prints its own Vietnamese message, the traceback is for ``--debug``.
    """
    handler = logging.StreamHandler(sys.stderr)
    if debug:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    else:
        handler.addFilter(lambda record: not record.exc_info)
        handler.setFormatter(logging.Formatter("%(message)s"))
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, handlers=[handler], force=True)


def run_command(args: argparse.Namespace, debug: bool) -> int:
    """Run the parsed subcommand; map its errors to a message on stderr and an exit code.

    Returns
    -------
    int
        The command's own exit code; ``GpmbError.exit_code`` for a refusal; 1 for anything unexpected.
    """
    try:
        return int(args._run(args))
    except GpmbError as exc:
        log.debug("%s refused", args.command, exc_info=True)
        message = refusal_text(exc)
        print(message if message.startswith("Lỗi") else f"Lỗi: {message}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        if debug:
            raise
        log.debug("%s failed", args.command, exc_info=True)
        print(UNEXPECTED_VI.format(kind=type(exc).__name__), file=sys.stderr)
        return EXIT_REJECTED


def install_status_layer() -> None:
    """Let the store keep its ``parcel_status`` layer current on every write (the store cannot import the
    computation itself: :mod:`store.parcel_status`). The computation is imported at the first write, not
    here: a read-only call does not pay for it."""
    from store.parcel_status import register_refresher

    def refresh(reader, as_of):
        from milestones.status_layer import install, parcel_status_frame

        install()                      # from now on the real function is registered
        return parcel_status_frame(reader, as_of)

    register_refresher(refresh)


def chosen_command(argv: list[str]) -> str | None:
    """The subcommand ``argv`` names when it is one of ``commands/`` (its first word not an option), else
    None (then every subcommand is loaded, for ``--help`` and usage messages)."""
    words = [a for a in argv if not a.startswith("-")]
    if not words:
        return None
    name = words[0].replace("-", "_")
    return words[0] if not name.startswith("_") and (Path(commands.__path__[0]) / f"{name}.py").is_file() else None


#: The dates ``--as-of`` accepts (:data:`parsing.dates.DATE_RANGE`, which imports pandas; a test keeps them equal).
AS_OF_RANGE = (date(1900, 1, 1), date(2199, 12, 31))

_AS_OF = re.compile(r"^(?:(\d{4})-(\d{2})-(\d{2})|(\d{2})/(\d{2})/(\d{4}))$")


def plain_status_request(argv: list[str]) -> tuple[dict, str | None] | None:
    """``(request, database URL)`` of a plain ``status`` call (``--as-of``, ``--json``, ``--rollup``,
    ``--database-url`` only); None for any other call (``--as``, ``--help``, another command …)."""
    from domain import office_time

    if not argv or argv[0] != "status":
        return None
    options = {"--json": False, "--rollup": False}
    as_of, url, rest = office_time.today(), None, argv[1:]
    while rest:
        word = rest.pop(0)
        if word in options:
            options[word] = True
        elif word in ("--as-of", "--database-url") and rest:
            value = rest.pop(0)
            if word == "--database-url":
                url = value
                continue
            m = _AS_OF.match(value)
            if not m:
                return None
            y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(5), m.group(4))
            try:
                as_of = date(int(y), int(mo), int(d))
            except ValueError:
                return None
        else:
            return None                            # --as, --help, anything else: the normal path
    request = {"command": "status", "as_of": as_of.isoformat(), "json": options["--json"],
               "rollup": options["--rollup"]}
    return request, url


def cached_status(argv: list[str]) -> str | None:
    """The stored answer of a plain ``status`` call (:mod:`store.output_cache`), read with ``sqlite3`` only,
    before anything heavy is imported; None when the call has other options, is not a GeoPackage store or
    was not answered before on this data and program (the normal path then computes and stores it)."""
    from store import output_cache

    plain = plain_status_request(argv)
    path = output_cache.sqlite_path_of(plain[1]) if plain else None
    return output_cache.cached_output_from_file(path, plain[0]) if path is not None else None


def fast_status(argv: list[str]) -> str | None:
    """A plain ``status`` call at a date not answered before, evaluated from the status document stored for
    the present data and program (:mod:`milestones.status_fast`): ``sqlite3``, ``json`` and the milestone
    rule only, no pandas, numpy, SQLAlchemy or geometry. None (the normal path then answers and stores the
    document) for ``--rollup``, another backend, a file that is not a GPMB store, or no usable document."""
    from commands import _status_text
    from milestones.status_fast import document_from_text, status_at
    from store import output_cache

    plain = plain_status_request(argv)
    if plain is None or plain[0]["rollup"]:
        return None
    request, url = plain
    path = output_cache.sqlite_path_of(url)
    stored = output_cache.versioned_output_from_file(path, _status_text.PREPARED_REQUEST) if path is not None else None
    doc = document_from_text(*stored) if stored else None
    if doc is None:
        return None
    as_of = date.fromisoformat(request["as_of"])
    if not AS_OF_RANGE[0] <= as_of <= AS_OF_RANGE[1]:
        return None                                  # argparse refuses it on the normal path (exit 2)
    try:
        projects, milestones, problems = status_at(doc, as_of)
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return _status_text.status_output(as_of, _status_text.status_records(projects, milestones), problems,
                                      as_json=request["json"])


def refusal_text(error: GpmbError) -> str:
    """The Vietnamese message of ``error`` for the terminal: a refused permission in words (role and action
    named as the dashboard names them, not by their codes); control characters of file text escaped."""
    from domain.roles import PermissionDeniedError, UnitScopeError
    from vocab.escape import terminal_text
    from vocab.roles import permission_denied_text

    if isinstance(error, PermissionDeniedError) and not isinstance(error, UnitScopeError):
        return terminal_text(permission_denied_text(error))
    return terminal_text(error.message_vi)


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``) and run the subcommand; returns the exit code (0 ok,
    1 refused or failed, 2 usage). Logging is left as the caller set it (see :func:`configure_logging`)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(chosen_command(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    install_status_layer()
    return run_command(args, args.debug or debug_from_environment())


def entry_point() -> int:
    """``python cli.py …``: logging for a person at a terminal (:func:`configure_logging`), then :func:`main`."""
    debug = "--debug" in sys.argv[1:] or debug_from_environment()
    cached = None if debug else cached_status(sys.argv[1:]) or fast_status(sys.argv[1:])
    if cached is not None:
        try:
            sys.stdout.write(cached)
            sys.stdout.flush()
        except BrokenPipeError:
            pass
        return 0
    configure_logging(debug)
    return main()


if __name__ == "__main__":
    sys.exit(entry_point())

"""What the store commands share: ``--database-url``, ``--as-of``, the default user name, opening the store.

``import-counts``, ``revert``, ``uploads``, ``status``, ``parcels`` and ``export`` all read or write the
store of ``--database-url`` (default ``$DATABASE_URL`` or ``data/gpmb.gpkg``, see
:func:`store.open_store`); ``status``, ``parcels`` and ``export`` compute at an ``--as-of`` date
(:func:`as_of_date`, the one argparse type for it). Its name starts with ``_`` so ``cli.py`` does not
load it as a subcommand.

Errors (the CLI contract): a command lets a :class:`domain.errors.GpmbError` (for example
:class:`store.errors.StoreUnavailableError`, exit code 1) propagate; ``cli.py`` prints its Vietnamese
message and exits with its code. :func:`open_cli_store` and :func:`report_store_failure` serve the
commands that still catch the error themselves.
"""
from __future__ import annotations

import argparse
import getpass
from datetime import date

from parsing.dates import DATE_RANGE, parse_date

DATABASE_URL_HELP = "kho dữ liệu (mặc định: $DATABASE_URL hoặc data/gpmb.gpkg)"

#: The ``--as-of`` range: the one date rule's range (:data:`parsing.dates.DATE_RANGE`), far outside any
#: clearance plan and well inside pandas' nanosecond timestamps, so a computation never overflows on a typo.
MIN_AS_OF, MAX_AS_OF = DATE_RANGE


def as_of_date(text: str) -> date:
    """argparse type for ``--as-of``: a date by the one rule of :func:`parsing.dates.parse_date`
    (``YYYY-MM-DD`` or ``dd/mm/yyyy``, never month-first) between :data:`MIN_AS_OF` and :data:`MAX_AS_OF`.

    Raises
    ------
    argparse.ArgumentTypeError
        With the parser's Vietnamese message (argparse then prints the usage and exits with code 2).
    """
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_as_of_argument(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """``--as-of YYYY-MM-DD`` typed by :func:`as_of_date`; optional (``None``: the command uses today)
    unless ``required``."""
    parser.add_argument("--as-of", dest="as_of", type=as_of_date, default=None, required=required,
                        metavar="YYYY-MM-DD",
                        help="ngày số liệu (vd. 2024-06-30)" if required else "tính tại ngày này (mặc định: hôm nay)")


def add_database_url_argument(parser: argparse.ArgumentParser) -> None:
    """``--database-url URL`` (default ``None``: ``$DATABASE_URL`` or ``data/gpmb.gpkg``)."""
    parser.add_argument("--database-url", default=None, help=DATABASE_URL_HELP)


def default_user() -> str:
    """The login name of the person running the command (for ``uploaded_by``/``reverted_by``).

    Returns
    -------
    str
        :func:`getpass.getuser`, or ``"cli"`` when the system has no user name (some containers).
    """
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "cli"


def terminal_progress(stream=None):
    """A :data:`domain.progress.Progress` callback writing one updating line on ``stream`` (default stderr)
    when it is a terminal, else None (pipes, logs and tests get no control characters).

    The line is ``[2/4] Kiểm tra từng dòng…`` (:func:`vocab.labels.progress_text`), rewritten in place with a
    carriage return; call the returned object's ``done()`` to end the line.
    """
    import sys

    stream = stream if stream is not None else sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        return None
    return _TerminalProgress(stream)


class _TerminalProgress:
    def __init__(self, stream):
        self.stream, self.width = stream, 0

    def __call__(self, code: str, done: int, total: int) -> None:
        from vocab.labels import progress_text

        text = progress_text(code, done, total)
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def done(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()

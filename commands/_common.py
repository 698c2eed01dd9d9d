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
import logging
import sys
from datetime import date, datetime
from typing import Any

from domain.errors import GpmbError
from vocab.format import fmt_date

DATABASE_URL_HELP = "kho dữ liệu (mặc định: $DATABASE_URL hoặc data/gpmb.gpkg)"

#: The ``--as-of`` range: far outside any clearance plan, well inside what pandas' nanosecond
#: timestamps hold (1677-09-22 … 2262-04-11), so a computation never overflows on a typo.
MIN_AS_OF = date(1900, 1, 1)
MAX_AS_OF = date(2199, 12, 31)
#: The two accepted spellings, ISO first; month-first (mm/dd) is never guessed.
AS_OF_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def as_of_date(text: str) -> date:
    """argparse type for ``--as-of``: ``YYYY-MM-DD`` or ``dd/mm/yyyy`` between :data:`MIN_AS_OF` and
    :data:`MAX_AS_OF` (inclusive).

    Raises
    ------
    argparse.ArgumentTypeError
        With a Vietnamese message when the text is no such date or lies outside the range (argparse
        then prints the usage and exits with code 2).
    """
    day = _parse_day(text.strip())
    if day is None:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {text!r} (cần dạng YYYY-MM-DD, ví dụ 2024-06-30, "
                                         "hoặc dd/mm/yyyy)")
    if not MIN_AS_OF <= day <= MAX_AS_OF:
        raise argparse.ArgumentTypeError(f"ngày {text.strip()} ngoài khoảng cho phép "
                                         f"{fmt_date(MIN_AS_OF)} – {fmt_date(MAX_AS_OF)}")
    return day


def _parse_day(text: str) -> date | None:
    for fmt in AS_OF_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def add_as_of_argument(parser: argparse.ArgumentParser) -> None:
    """``--as-of YYYY-MM-DD`` (default ``None``: the command uses today), typed by :func:`as_of_date`."""
    parser.add_argument("--as-of", dest="as_of", type=as_of_date, default=None, metavar="YYYY-MM-DD",
                        help="tính tại ngày này (mặc định: hôm nay)")


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


def report_store_failure(exc: BaseException, log: logging.Logger, context: str = "open_store failed") -> int:
    """Log ``exc`` with its traceback; on stderr print its ``message_vi`` for a :class:`GpmbError`,
    otherwise ``Không mở được kho dữ liệu (Type: message).``

    Call it inside the ``except`` block (the traceback is taken from there).

    Parameters
    ----------
    exc
        The exception raised while opening or first reading the store.
    log
        The calling command's logger.
    context
        The log message (the command's own, e.g. ``"uploads failed"``).

    Returns
    -------
    int
        1, the exit code of a command that could not reach its store.
    """
    log.exception(context)
    if isinstance(exc, GpmbError):
        print(exc.message_vi, file=sys.stderr)
    else:
        print(f"Không mở được kho dữ liệu ({type(exc).__name__}: {exc}).", file=sys.stderr)
    return 1


def open_cli_store(database_url: str | None, log: logging.Logger) -> Any | None:
    """Open the store of ``--database-url`` for a command, or report why it cannot be opened.

    Parameters
    ----------
    database_url
        SQLAlchemy URL or ``None`` (``$DATABASE_URL`` or ``data/gpmb.gpkg``; see :func:`store.open_store`).
    log
        The calling command's logger (gets the traceback when opening fails).

    Returns
    -------
    store.Store or None
        The open store; ``None`` after :func:`report_store_failure` printed the Vietnamese message
        (the command then returns exit code 1).
    """
    from store import open_store

    try:
        return open_store(database_url)
    except Exception as exc:  # noqa: BLE001 - a message, not a traceback
        report_store_failure(exc, log)
        return None

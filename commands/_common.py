"""What the store commands share: ``--database-url``, the default user name, opening the store.

``import-counts``, ``revert``, ``uploads``, ``status``, ``parcels`` and ``export`` all read or write the
store of ``--database-url`` (default ``$DATABASE_URL`` or ``data/gpmb.gpkg``, see
:func:`store.open_store`). Its name starts with ``_`` so ``cli.py`` does not load it as a subcommand.

Exit codes (the CLI contract): a store that cannot be opened is exit code 1 with the Vietnamese message
``Không mở được kho dữ liệu (…).`` on stderr; the traceback goes to the command's logger.
"""
from __future__ import annotations

import argparse
import getpass
import logging
import sys
from typing import Any

DATABASE_URL_HELP = "kho dữ liệu (mặc định: $DATABASE_URL hoặc data/gpmb.gpkg)"


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
    """Log ``exc`` with its traceback, print ``Không mở được kho dữ liệu (Type: message).`` on stderr.

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

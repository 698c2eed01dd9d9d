"""The one base exception of GPMB Tracker: a Vietnamese message for the user and the CLI exit code.

Every error that a user can cause (a bad file, a bad date, a store that cannot be opened) is raised as
a :class:`GpmbError` subclass. ``cli.py`` and the dashboard show ``message_vi`` and never a traceback;
the CLI exits with ``exit_code`` (1 = rejected or failed, 2 = usage).
"""
from __future__ import annotations

#: CLI exit codes (DATA_MODEL.md, "CLI").
EXIT_REJECTED = 1
EXIT_USAGE = 2


class GpmbError(Exception):
    """An error with a message meant for the user (Vietnamese) and an exit code for the CLI."""

    exit_code: int = EXIT_REJECTED

    def __init__(self, message_vi: str, *, exit_code: int | None = None) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(GpmbError):
    """The user asked for something that cannot be done as asked (bad argument, date out of range)."""

    exit_code = EXIT_USAGE

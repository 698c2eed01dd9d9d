"""Errors and results the store hands to its callers."""
from __future__ import annotations

from dataclasses import dataclass

from domain.errors import GpmbError


class StoreError(GpmbError, ValueError):
    """A request the store refuses; ``message_vi`` is Vietnamese and meant for the user; CLI exit code 1.

    Also a :class:`ValueError`, so callers that caught the store's refusals as ``ValueError`` still do.
    """


class StoreUnavailableError(StoreError):
    """The store cannot be opened or written at all: a URL that does not parse or names an unsupported
    database, a PostgreSQL server that cannot be reached or has no such database, a read-only file.

    Raised by :mod:`store.engine`; the message names the store (password hidden) and what to check.
    """


class SourceFileMissingError(StoreUnavailableError, FileNotFoundError):
    """A bundled source file needed to build a new store is missing (``data/sources/`` or
    ``$GPMB_SOURCES_DIR``); also a :class:`FileNotFoundError` for callers written before it."""


@dataclass(frozen=True)
class UploadResult:
    """Outcome of :meth:`Store.commit_upload`.

    Attributes
    ----------
    upload_id : int
        The new upload, or the earlier upload with the same file content when ``created`` is False.
    created : bool
        False when a non-reverted upload with the same ``file_sha256`` already exists (nothing added).
    rows_committed : int
        Events written by this upload (for ``created=False``: those of the earlier upload).
    """

    upload_id: int
    created: bool
    rows_committed: int

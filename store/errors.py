"""Errors and results the store hands to its callers."""
from __future__ import annotations

from dataclasses import dataclass, field

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
class Duplicates:
    """Rows of an upload that add nothing (positions are 0-based in the rows handed to the store).

    Attributes
    ----------
    in_ledger : tuple of (position, upload_id)
        Rows whose content is already in the ledger; ``upload_id`` is the earliest non-reverted
        upload holding it.
    in_file : tuple of (position, first_position)
        Repeats of an earlier row of the same upload (same content).
    """

    in_ledger: tuple[tuple[int, int], ...] = ()
    in_file: tuple[tuple[int, int], ...] = ()

    @property
    def count(self) -> int:
        return len(self.in_ledger) + len(self.in_file)

    def skipped(self) -> set[int]:
        """Positions not to commit."""
        return {p for p, _ in self.in_ledger} | {p for p, _ in self.in_file}


@dataclass(frozen=True)
class UploadResult:
    """Outcome of :meth:`Store.commit_upload`.

    Attributes
    ----------
    upload_id : int
        The new upload; when ``created`` is False, the earlier upload with the same file bytes, or
        (every row a duplicate) the earliest upload holding one of the rows.
    created : bool
        False when nothing was added: a non-reverted upload with the same ``file_sha256`` exists
        (``same_file``), or every row's content is already in the ledger.
    rows_committed : int
        Events written by this upload (for a ``same_file``: those of the earlier upload; 0 when every
        row was a duplicate).
    duplicates : Duplicates
        Rows not committed because their content is in the ledger or earlier in the upload
        (positions 0-based in the rows handed to the store). Empty for a ``same_file``.
    same_file : bool
        True when the file's bytes were already uploaded (nothing was compared row by row).
    """

    upload_id: int
    created: bool
    rows_committed: int
    duplicates: Duplicates = field(default_factory=Duplicates)
    same_file: bool = False

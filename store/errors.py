"""Errors and results the store hands to its callers."""
from __future__ import annotations

from dataclasses import dataclass


class StoreError(ValueError):
    """A request the store refuses; the message is Vietnamese and meant for the user."""


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

"""The one error of the cadastre imports (parcels, clearance boundary, centreline, new project)."""
from __future__ import annotations

from domain.errors import GpmbError


class CadastreImportError(GpmbError, ValueError):
    """The import cannot go on; ``message_vi`` names the file, row or column; nothing was written.

    A :class:`domain.errors.GpmbError` (exit code 1) and, for callers written before it, a ``ValueError``.
    """

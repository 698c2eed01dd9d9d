"""The limits as data, the one refusal they raise, and how sizes and names appear in its messages."""
from __future__ import annotations

from dataclasses import dataclass

from domain.errors import GpmbError
from vocab.escape import terminal_text
from vocab.format import fmt_number

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

CHUNK_BYTES = 1 * MiB  # bytes decompressed or scanned at a time


@dataclass(frozen=True)
class InputLimits:
    """Limits on what one uploaded file may expand to. All sizes in bytes, times in seconds.

    The defaults fit the largest legitimate inputs of a district (a cadastral zip of every map sheet,
    a field-count workbook of ``ingest.read.MAX_ROWS`` = 200 000 rows × 40 columns) with room to spare.
    """

    #: Sum of the uncompressed sizes of all members of a zip or KMZ (and of an XLSX).
    zip_total_bytes: int = 512 * MiB
    #: Uncompressed ÷ compressed size, per member and for the whole archive. Shapefiles compress 3–10×.
    zip_ratio: float = 100.0
    #: Members smaller than this are not ratio-checked (a 200 kB run of spaces is harmless).
    zip_ratio_min_bytes: int = 1 * MiB
    #: Number of members (files and folders) in an archive.
    zip_members: int = 10_000
    #: Size of the central directory (the list of members, ≥ 46 bytes each): bounds what zipfile parses
    #: before any count can be checked, should the end record understate the count.
    zip_directory_bytes: int = 4 * MiB
    #: Cells of one sheet: rows × columns of its ``<dimension>``, or the cells it really holds if more.
    xlsx_cells: int = 8_000_000
    #: Uncompressed size of the shared-strings part (``xl/sharedStrings.xml``).
    xlsx_shared_strings_bytes: int = 64 * MiB
    #: Number of sheets in a workbook.
    xlsx_sheets: int = 256
    #: Nesting depth of JSON arrays and objects (a GeoJSON MultiPolygon needs 6 inside a Feature).
    json_depth: int = 64
    #: Size of a JSON or GeoJSON file.
    json_bytes: int = 256 * MiB
    #: Wall-clock time of one parse step run through :func:`run_with_time_limit`.
    parse_seconds: float = 120.0


DEFAULT_LIMITS = InputLimits()


class InputLimitError(GpmbError):
    """A file exceeds one of the :class:`InputLimits` or is not the archive it claims to be (exit code 1)."""


def fmt_bytes(size_bytes: int | float) -> str:
    """A size with binary units and Vietnamese decimals: ``2 * GiB`` → ``"2 GiB"``, ``1.5 * GiB`` → ``"1,5 GiB"``."""
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if size_bytes >= scale:
            value = size_bytes / scale
            return f"{fmt_number(value, 0 if value == int(value) else 1)} {unit}"
    return f"{fmt_number(size_bytes)} byte"


def escape_name(name: str, max_chars: int = 120) -> str:
    """A file or member name safe to show in a message: control and format characters (ESC, NUL,
    right-to-left overrides) become ``\\x1b``-style escapes, and long names are cut with ``…``.

    Markup (``<img …>``) is left as text: escaping it for HTML or Markdown is the view's job.
    """
    return terminal_text(name, max_chars)

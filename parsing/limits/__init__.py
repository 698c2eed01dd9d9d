"""Bounds on every expansion of an uploaded file, checked before anything is extracted or parsed.

A small file can expand into a huge one (a 2 MB zip of 2 GiB of zeros, an XLSX whose shared strings
grow to hundreds of MB, a sheet declaring 16 million cells, a GeoJSON nested 200 000 deep). The checks
here read only headers, the central directory and streams of bytes, in bounded memory, and refuse with
one exception, :class:`InputLimitError`, whose Vietnamese message names the limit and the value found.

- ``base``: :class:`InputLimits` (the limits as data; override with ``dataclasses.replace``),
  :data:`DEFAULT_LIMITS`, :class:`InputLimitError`, :func:`fmt_bytes`, :func:`escape_name`;
- ``archive``: :func:`check_zip`, :func:`safe_extract_zip` (zip and KMZ);
- ``workbook``: :func:`check_xlsx` (an XLSX is a zip too: the zip checks run first);
- ``nesting``: :func:`json_depth`, :func:`check_json_depth` (JSON and GeoJSON, scanned without recursion);
- ``deadline``: :func:`run_with_time_limit` (a parse step in a worker process killed at its deadline).
"""
from parsing.limits.archive import check_zip, copy_bounded, safe_extract_zip
from parsing.limits.base import DEFAULT_LIMITS, GiB, InputLimitError, InputLimits, KiB, MiB, escape_name, fmt_bytes
from parsing.limits.deadline import run_with_time_limit
from parsing.limits.nesting import check_json_depth, json_depth
from parsing.limits.workbook import check_xlsx

__all__ = ["DEFAULT_LIMITS", "GiB", "InputLimitError", "InputLimits", "KiB", "MiB", "check_json_depth",
           "check_xlsx", "check_zip", "copy_bounded", "escape_name", "fmt_bytes", "json_depth",
           "run_with_time_limit", "safe_extract_zip"]

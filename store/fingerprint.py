"""Content fingerprints of ledger rows: the same field-count fact committed twice is recognised.

A byte-identical file is recognised by its SHA-256 (:mod:`store.uploads`); a file re-saved by Excel
(CRLF, other column order, UTF-8-BOM ↔ cp1258/UTF-16) has other bytes but the same rows. Each
committed ``events`` row therefore carries ``fingerprint``: the first 16 bytes (32 hex characters) of
the SHA-256 of its canonical content (issue 10, "Content-level duplicates").

What is in it (:data:`FINGERPRINT_FIELDS`, in this order, after the version tag ``gpmb-event-v1``):

- ``kind``, ``project_id`` (stripped), ``parcel_id`` and ``commune`` (folded with
  :func:`parsing.text.fold_vi`: case, diacritics and spacing do not make another key; ``/`` kept),
- ``chainage_from_m`` / ``chainage_to_m`` rounded to 0.01 m,
- ``event`` (code), ``event_date`` (ISO ``YYYY-MM-DD``),
- ``amount_vnd`` as whole đồng, ``households`` as an integer, ``area_m2`` rounded to 0.01 m²,
- ``is_correction`` (a correction is another fact than the report it corrects).

What is not in it: ``note`` (free text: the same payment re-sent with another remark is still the
same payment and must not count twice), ``event_id``/``upload_id`` (where it was recorded, not what),
the file name and the Excel row. Missing values are JSON ``null``, so "no amount" differs from 0.

A consequence, stated for the officers: two genuinely separate events of one parcel with the same
stage, date, amount, households and area are taken for one; record them as one row with the summed
amount (the validation already refuses two such rows in one file with different figures).

Changing this definition changes every fingerprint: bump the version tag and write a migration
that recomputes the column.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence

from parsing.text import fold_vi

#: Version tag hashed first: a new definition never matches an old fingerprint by accident.
FINGERPRINT_VERSION = "gpmb-event-v1"

#: The ``events`` columns a fingerprint covers, in hashing order (``note`` deliberately absent).
FINGERPRINT_FIELDS: tuple[str, ...] = (
    "kind", "project_id", "parcel_id", "commune", "chainage_from_m", "chainage_to_m", "event",
    "event_date", "amount_vnd", "households", "area_m2", "is_correction",
)

#: Hex characters kept (16 bytes = 128 bits: no accidental collision in any ledger).
FINGERPRINT_HEX_CHARS = 32


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("NaT", "<NA>")


def _text(value) -> str | None:
    return None if _missing(value) or not str(value).strip() else str(value).strip()


def _folded(value) -> str | None:
    text = _text(value)
    return None if text is None else fold_vi(text)


def _hundredths(value) -> str | None:
    """``12.345`` → ``"12.35"`` (``-0.0`` → ``"0.00"``), None when missing."""
    return None if _missing(value) else f"{round(float(value), 2) + 0.0:.2f}"


def _whole(value) -> int | None:
    return None if _missing(value) else round(float(value))


def _iso_date(value) -> str | None:
    """A ``date``/``datetime``/timestamp or ISO text as ``YYYY-MM-DD`` (SQLite returns text)."""
    if _missing(value):
        return None
    if isinstance(value, dt.datetime) or hasattr(value, "to_pydatetime"):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(str(value)[:10]).isoformat()


def _flag(value) -> bool:
    if _missing(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "t", "yes"}
    return bool(value)


_CANONICAL = {
    "kind": _text, "project_id": _text, "parcel_id": _folded, "commune": _folded,
    "chainage_from_m": _hundredths, "chainage_to_m": _hundredths, "event": _text, "event_date": _iso_date,
    "amount_vnd": _whole, "households": _whole, "area_m2": _hundredths, "is_correction": _flag,
}


def canonical(row: Mapping) -> list:
    """The canonical content of one event row (missing keys count as missing values)."""
    return [FINGERPRINT_VERSION, *(_CANONICAL[name](row.get(name)) for name in FINGERPRINT_FIELDS)]


def fingerprint(row: Mapping) -> str:
    """Fingerprint of one event row: 32 lower-case hex characters (see the module docstring)."""
    payload = json.dumps(canonical(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:FINGERPRINT_HEX_CHARS]


def fingerprints(columns: Mapping[str, Sequence]) -> list[str]:
    """Fingerprints of rows given as columns (:func:`store.ledger.prepare_events`), in row order.

    The same hex values as :func:`fingerprint` row by row, computed column by column: each distinct
    value of a column is canonicalised and JSON-encoded once (a column of 100 000 rows holds few
    distinct stages, dates or amounts), then each row's payload is the join of its tokens.
    """
    n_rows = len(columns["kind"])
    tokens = [_column_tokens(columns.get(name), name, n_rows) for name in FINGERPRINT_FIELDS]
    head = "[" + json.dumps(FINGERPRINT_VERSION) + ","
    return [hashlib.sha256((head + ",".join(row) + "]").encode("utf-8")).hexdigest()[:FINGERPRINT_HEX_CHARS]
            for row in zip(*tokens)]


def _column_tokens(values: Sequence | None, name: str, n_rows: int) -> list[str]:
    """The JSON token of each value of one column (as :func:`canonical` then ``json.dumps`` give it)."""
    encode = _CANONICAL[name]
    if values is None:
        return [_token(encode(None))] * n_rows
    cache: dict = {}
    out = []
    for v in values:
        key = (type(v), v)  # 1, 1.0 and True hash alike but canonicalise differently
        tok = cache.get(key)
        if tok is None:
            tok = cache[key] = _token(encode(v))
        out.append(tok)
    return out


def _token(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

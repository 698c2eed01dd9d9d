"""Text folding for matching what people type: headers, commune names, stage labels."""
from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd


def fold_vi(text: str) -> str:
    """Lower-case ``text`` and strip Vietnamese diacritics (đ → d), collapsing spaces and ``_``.

    Used to match user-typed labels and headers: ``"Bàn giao  MẶT BẰNG"`` → ``"ban giao mat bang"``.
    """
    text = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.lower().replace("_", " ").split())


def fold_key(text: object) -> str:
    """:func:`fold_vi` of ``text`` (NFKC first, so ``m²`` → ``m2``) keeping letters and digits only.

    The one key for matching names people type: headers (``"Số thửa:"``, ``"SO_THUA"`` → ``"sothua"``),
    cadastral field names, project and commune names.
    """
    if text is None:
        return ""
    return re.sub(r"[^0-9a-z]", "", fold_vi(unicodedata.normalize("NFKC", str(text))))


def is_blank(value: object) -> bool:
    """True for None, float NaN (numpy included), ``pd.NA``/``NaT`` and text that is empty after stripping."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    return value is pd.NA or value is pd.NaT

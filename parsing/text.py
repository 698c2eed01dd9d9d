"""Text folding for matching what people type: headers, commune names, stage labels."""
from __future__ import annotations

import unicodedata


def fold_vi(text: str) -> str:
    """Lower-case ``text`` and strip Vietnamese diacritics (đ → d), collapsing spaces and ``_``.

    Used to match user-typed labels and headers: ``"Bàn giao  MẶT BẰNG"`` → ``"ban giao mat bang"``.
    """
    text = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.lower().replace("_", " ").split())

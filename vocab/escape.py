"""Escaping file- and store-supplied text for the medium that shows it (issue 9, "hostile input stays inert").

One place per medium, so that a commune name, a file or member name, a parcel key, a note or a
rejection reason shows as the literal text it is, wherever it is shown:

- :func:`html_text` – HTML element content and attribute values (``<``, ``>``, ``&``, both quotes);
- :func:`markdown_text` – ``st.markdown`` / ``st.write`` / ``st.error`` / ``st.warning`` / ``st.info``
  strings: Markdown, HTML, Streamlit directive (``:red[…]``) and LaTeX (``$``) characters are
  backslash-escaped and URLs are not auto-linked, so ``![](http://…)`` renders as text and the
  browser fetches nothing;
- :func:`terminal_text` – one value for a terminal: control and format characters (ESC and so every
  ANSI sequence, BEL, CR, C1 controls such as CSI ``\\x9b``, bidi overrides ``\\u202e``, line and
  paragraph separators) become visible ``\\x1b`` / ``\\u202e`` escapes; optionally cut to a length;
- :func:`terminal_block` – a whole report of several lines: the same, but its line breaks kept;
- CSV and XLSX cells (formula injection) are :mod:`exports.table_files`' job.

Each function takes any value (``None`` → ``""``) and returns ``str``; none raises.
"""
from __future__ import annotations

import html
import re
import unicodedata

#: Unicode categories shown as escapes in a terminal: controls, format characters (bidi overrides,
#: zero-width joiners), line and paragraph separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})

# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones that
# mean something to Markdown anywhere in a line, to Streamlit (``:red[…]`` needs the bracket) or to its
# LaTeX (``$``). ``-``, ``+``, ``=`` and ``1.`` only start a list or heading at the start of the text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()<>#!|~$&])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")


def _text(value) -> str:
    return "" if value is None else str(value)


def html_text(value) -> str:
    """``value`` as HTML text, safe in element content and in quoted attribute values."""
    return html.escape(_text(value), quote=True)


def markdown_text(value) -> str:
    """``value`` as Markdown that renders as the literal text (no image, link, emphasis, HTML, LaTeX).

    Line breaks become spaces (a message is one paragraph; a file cannot start a heading or a table
    on a new line) and control characters are made visible as in :func:`terminal_text`.
    """
    flat = re.sub(r"[\r\n]+", " ", _text(value))
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", terminal_text(flat)).replace("://", "\\://")  # no autolink
    return _MARKDOWN_LINE_START.sub(lambda m: f"{m[1]}{m[2][:-1]}\\{m[2][-1]}", escaped)


def _visible(char: str) -> str:
    if unicodedata.category(char) not in _INVISIBLE_CATEGORIES:
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(value, max_chars: int | None = None) -> str:
    """``value`` safe to print on a terminal, every invisible character shown as ``\\xNN``/``\\uNNNN``.

    With ``max_chars``, text longer than that is cut and ends with ``…`` (for names in messages).
    """
    text = _text(value)
    cut = max_chars is not None and len(text) > max_chars
    shown = "".join(_visible(c) for c in (text[:max_chars] if cut else text))
    return shown + ("…" if cut else "")


def terminal_block(text) -> str:
    """A multi-line report safe to print: as :func:`terminal_text` for every line, line breaks kept."""
    return "\n".join(terminal_text(line) for line in _text(text).split("\n"))


def terminal_json(text: str) -> str:
    """JSON text safe to print: invisible characters JSON itself leaves raw (C1 controls such as
    ``\\x9b``, bidi overrides, DEL) written as ``\\uNNNN`` escapes, so the JSON stays valid and equal."""
    return "".join(f"\\u{ord(c):04x}" if c != "\n" and unicodedata.category(c) in _INVISIBLE_CATEGORIES
                   else c for c in text)

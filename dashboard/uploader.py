"""The dashboard's file picker: ``st.file_uploader`` with its drop zone in Vietnamese.

Streamlit draws the drop zone's button («Upload») and its line «250MB per file • CSV, XLSX» in English,
with the server's upload ceiling (``server.maxUploadSize``) rather than the limit the reader enforces.
This module hides those two texts for one uploader (CSS scoped to the ``st-key-<key>`` class Streamlit
gives a keyed element) and shows Vietnamese ones in their place, with the limit that applies.
"""
from __future__ import annotations

import re

import streamlit as st

#: What the drop zone's button says.
BUTTON_VI = "Chọn tệp"

_CSS = """<style>
.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: "{hint}"; font-size: 0.875rem; }}
.st-key-{key} [data-testid="stFileUploaderDropzone"] button p {{ font-size: 0; }}
.st-key-{key} [data-testid="stFileUploaderDropzone"] button p::after {{ content: "{button}"; font-size: 0.875rem; }}
</style>"""


def drop_zone_hint(types: list[str], limit_bytes: int, *, multiple: bool = False, kinds: str | None = None) -> str:
    """The Vietnamese line beside the drop zone's button: how to give the file(s), the size limit (MB, 1 MB =
    1 048 576 bytes) and the accepted kinds (``kinds``, or else the extensions ``types``), e.g.
    «Kéo thả tệp vào đây · tối đa 50 MB một tệp · CSV, XLSX»."""
    what = "các tệp" if multiple else "tệp"
    kinds = kinds or ", ".join(t.lstrip(".").upper() for t in types)
    return f"Kéo thả {what} vào đây · tối đa {limit_bytes // (1024 * 1024)} MB một tệp · {kinds}"


def scoped_css(key: str, hint: str) -> str:
    """The ``<style>`` block that puts ``hint`` and :data:`BUTTON_VI` in the drop zone of the uploader ``key``.

    Raises
    ------
    ValueError
        ``key`` is not a plain identifier (letters, digits, ``_``, ``-``) or ``hint`` holds a quote, a
        backslash or an angle bracket: both go into CSS unescaped, so only the program's own texts are taken.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]+", key):
        raise ValueError(f"uploader key {key!r} is not a plain identifier")
    if re.search(r"[\"\\<>]", hint):
        raise ValueError(f"drop-zone hint {hint!r} holds a character CSS content would need escaped")
    return _CSS.format(key=key, hint=hint, button=BUTTON_VI)


def file_uploader_vi(label: str, *, types: list[str], key: str, limit_bytes: int | None = None,
                     kinds: str | None = None, **options):
    """``st.file_uploader(label, type=types, key=key, **options)`` with the Vietnamese drop zone.

    ``limit_bytes``: the limit the page's reader enforces (None: the server's ``server.maxUploadSize``);
    ``kinds``: the accepted kinds in words, when the list of extensions would be too long to read.
    Returns what ``st.file_uploader`` returns (an ``UploadedFile``, a list of them, or None).
    """
    limit = limit_bytes if limit_bytes is not None else int(st.get_option("server.maxUploadSize")) * 1024 * 1024
    hint = drop_zone_hint(types, limit, multiple=bool(options.get("accept_multiple_files")), kinds=kinds)
    st.html(scoped_css(key, hint))
    return st.file_uploader(label, type=types, key=key, **options)

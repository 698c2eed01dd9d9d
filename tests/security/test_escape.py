"""vocab.escape: every hostile string stays literal text in HTML, Markdown and on a terminal."""
from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

from commands.uploads import format_table
from parsing.limits import escape_name
from tests.support.hostile import MARKUP_STRINGS
from vocab.escape import html_text, markdown_text, terminal_block, terminal_json, terminal_text

INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@pytest.mark.parametrize("value", MARKUP_STRINGS)
def test_html_text_round_trips_and_holds_no_tag(value):
    escaped = html_text(value)
    assert "<" not in escaped and '"' not in escaped
    assert html.unescape(escaped) == value


@pytest.mark.parametrize("value", MARKUP_STRINGS)
def test_terminal_text_leaves_no_invisible_character(value):
    shown = terminal_text(value)
    assert not INVISIBLE.search(shown)


def test_terminal_text_names_the_escape_and_cuts():
    assert terminal_text("\x1b[2J") == "\\x1b[2J"
    assert terminal_text("Thửa\u202egnp") == "Thửa\\u202egnp"
    assert terminal_text("\x9b31m") == "\\x9b31m"  # C1 CSI, which JSON leaves raw
    assert terminal_text("abcdef", 3) == "abc…"
    assert terminal_text(None) == ""


def test_terminal_block_keeps_line_breaks_only():
    assert terminal_block("a\x1b[31m\nb\rc") == "a\\x1b[31m\nb\\x0dc"


def test_terminal_json_stays_the_same_json():
    doc = {"name": "\x9b2J\u202e" + "\x1b[0m", "n": 1}
    text = terminal_json(json.dumps(doc, ensure_ascii=False, indent=2))
    assert not INVISIBLE.search(text)
    assert json.loads(text) == doc


def _rendered_markdown_html(text: str) -> str:
    """``text`` rendered by markdown-it (CommonMark, as Streamlit's front end renders it)."""
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark").render(text)


def _rendered_markdown_elements(text: str) -> list[str]:
    return re.findall(r"<(\w+)", _rendered_markdown_html(text))


@pytest.mark.parametrize("value", MARKUP_STRINGS)
def test_markdown_text_renders_as_one_plain_paragraph(value):
    escaped = markdown_text(value)
    assert _rendered_markdown_elements(escaped) == ["p"]
    assert "$" not in escaped.replace("\\$", "")


def test_markdown_image_is_escaped():
    escaped = markdown_text("![](http://example.invalid/x.png)")
    assert escaped.startswith("\\!\\[\\]\\(")
    assert "<img" not in _rendered_markdown_html(escaped)



def test_escape_name_is_the_terminal_escape():
    assert escape_name("\x1b]0;x\x07" * 50, 10) == terminal_text("\x1b]0;x\x07" * 50, 10)


def test_uploads_list_prints_no_escape_byte():
    frame = pd.DataFrame({
        "upload_id": [1], "uploaded_at": [pd.Timestamp("2024-06-01T03:00Z")],
        "uploaded_by": ["\x1b[2Jkẻ gian"], "file_name": ["\x1b]0;tiêu đề giả\x07.xlsx"],
        "rows_read": [3], "rows_committed": [3], "source": ["upload"],
        "reverts_upload_id": [pd.NA], "reverted_by_upload_id": [pd.NA], "reverted_at": [pd.NaT],
    })
    text = format_table(frame)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[2Jkẻ gian" in text

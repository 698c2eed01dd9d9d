"""The CLI's progress line (issue 13): on a terminal's stderr only, rewritten in place, cleared at the end."""
from __future__ import annotations

import io

from commands._common import terminal_progress
from domain.progress import IMPORT_COUNTS_STEPS, step


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_progress_line_when_stderr_is_not_a_terminal():
    assert terminal_progress(io.StringIO()) is None


def test_the_line_names_each_step_and_is_cleared_at_the_end():
    out = _Terminal()
    progress = terminal_progress(out)
    for code in ("read", "check", "commit", "read"):
        step(progress, IMPORT_COUNTS_STEPS, code)
    progress.done()
    written = out.getvalue().split("\r")
    longest = "[4/4] Ghi vào kho dữ liệu…"
    assert written[1:5] == ["[1/4] Đọc tệp…", "[2/4] Kiểm tra từng dòng…", longest,
                            "[1/4] Đọc tệp…".ljust(len(longest))]  # a shorter line blanks the rest of the longer
    assert written[-2:] == [" " * len("[1/4] Đọc tệp…"), ""]

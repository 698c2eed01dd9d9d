"""Steps and a progress bar for long work on a page: ``st.status`` with one line per step and ``st.progress``.

The computations report through a plain :data:`domain.progress.Progress` callback; this is the view's
side of it. Use::

    with progress_box("Đang đọc và kiểm tra tệp…") as progress:
        result = import_counts(..., progress=progress)

The box lists each step as it starts (labels of :data:`vocab.labels.PROGRESS_STEP_LABELS_VI`), moves the bar
to ``done / total``, and ends «complete» (or «error» when the work raised: the exception goes on to the
page's handler).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import streamlit as st

from domain.progress import Progress
from vocab.labels import progress_text


@contextlib.contextmanager
def progress_box(label: str, *, done_label: str = "Xong") -> Iterator[Progress]:
    """A ``st.status`` box with a progress bar; yields the callback to give the computation."""
    with st.status(label, expanded=True) as box:
        bar = st.progress(0.0)

        def report(code: str, done: int, total: int) -> None:
            text = progress_text(code, done, total)
            st.write(text)
            bar.progress(min(done / total, 1.0) if total else 0.0, text=text)
            box.update(label=text)

        try:
            yield report
        except Exception:
            box.update(label=label, state="error")
            raise
        bar.progress(1.0, text=done_label)
        box.update(label=done_label, state="complete", expanded=False)

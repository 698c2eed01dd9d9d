"""Progress of long work, reported through a plain callback (no Streamlit, no terminal below the views).

A computation that takes seconds on a province-scale file (an import, a PDF of many pages) accepts an
optional ``progress`` argument and calls it at the start of each step: ``progress(step, done, total)``,
``step`` a code of :data:`vocab.labels.PROGRESS_STEP_LABELS_VI` (the view shows the label), ``done`` the
steps finished before this one, ``total`` the number of steps. The views draw it (``st.status`` /
``st.progress`` in the dashboard, one line on a terminal's stderr in the CLI); a None callback costs nothing.
"""
from __future__ import annotations

from collections.abc import Callable

#: ``progress(step_code, done, total)``: called when step number ``done + 1`` of ``total`` starts.
Progress = Callable[[str, int, int], None]

#: The steps of a field-count import (:func:`ingest.importer.import_counts`), in order.
IMPORT_COUNTS_STEPS: tuple[str, ...] = ("read", "check", "duplicates", "commit")
#: The steps of a register import (:func:`ingest.register_import.import_register`), in order.
REGISTER_IMPORT_STEPS: tuple[str, ...] = ("read", "check", "commit")
#: The steps of a cadastral layer import (:mod:`cadastre.importer`), in order.
IMPORT_PARCELS_STEPS: tuple[str, ...] = ("read", "check", "change_set", "commit")


def step(progress: Progress | None, steps: tuple[str, ...], code: str) -> None:
    """Report that step ``code`` of ``steps`` starts (nothing when ``progress`` is None)."""
    if progress is not None:
        progress(code, steps.index(code), len(steps))

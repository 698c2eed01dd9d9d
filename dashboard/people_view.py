"""What the three people-side pages share: the project filter of the sidebar, metric cards, a typed table."""
from __future__ import annotations

import streamlit as st

from exports.people_tables import frame
from vocab.format import fmt_number
from vocab.people import PEOPLE_CARD_LABELS_VI


def figures_and_names(day):
    """The people figures at ``day`` on the sidebar's projects, and the project names."""
    from dashboard import state

    names = state.project_names(state.snapshot(day))
    return state.people(day).for_projects(state.filters().project_ids), names


def cards(figures, keys: tuple[str, ...]) -> None:
    """One metric per key of :meth:`milestones.people.PeopleFigures.cards`."""
    totals = figures.cards()
    for column, key in zip(st.columns(len(keys)), keys, strict=True):
        column.metric(PEOPLE_CARD_LABELS_VI[key], fmt_number(totals[key]))


def table(records: list[dict], cols, empty: str, *, height: int | None = None) -> None:
    """A table of typed rows under Vietnamese headers, or ``empty`` as a note."""
    if not records:
        st.info(empty)
        return
    st.dataframe(frame(records, cols), hide_index=True, width="stretch",
                 height=height or min(460, 38 + 35 * len(records)))

"""The dashboard's persistent map: a bidirectional Streamlit component (``dashboard/map_component/``,
plain HTML and JavaScript in the repository, nothing fetched or built).

The offline map page (:func:`mapview.standalone_html`, geometry and all) is sent to the browser only
when the component does not already hold that map (its value is the key of the map it holds: a data
version and a project filter). A new as-of date or another commune / stage / at-risk filter sends only
the state vector (:func:`mapview.parcel_layer.map_state`), which the live map applies without a reload.
The map page runs in an ``<iframe sandbox="allow-scripts">`` inside the component (opaque origin), as
it did in :func:`mapview.sandboxed_document`.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

#: Session-state key of the component (its value: the key of the map the browser holds).
WIDGET_KEY = "gpmb_live_map"

_COMPONENT = components.declare_component("gpmb_live_map", path=str(Path(__file__).resolve().parent / "map_component"))


def live_map(map_key: str, document: Callable[[], str], state: dict, *, height: int,
             title: str = "Bản đồ tiến độ GPMB") -> None:
    """Show the persistent map.

    Parameters
    ----------
    map_key : str
        Identifies the map page (data version and project filter): a new key reloads the map.
    document : callable returning str
        Builds (or fetches from a cache) the map page; called only when the browser lacks ``map_key``.
    state : dict
        The per-date, per-filter state vector for the page's parcels.
    height : int
        Height of the map in pixels.
    title : str
        Accessible name of the inner frame (plain text).
    """
    held = st.session_state.get(WIDGET_KEY)
    _COMPONENT(key=WIDGET_KEY, default=None, map_key=map_key, state=state, height=height, title=title,
               document=None if held == map_key else document())

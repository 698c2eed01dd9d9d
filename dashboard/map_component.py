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

import threading
from collections.abc import Callable
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

#: Session-state key of the component (its value: the key of the map the browser holds).
WIDGET_KEY = "gpmb_live_map"

_COMPONENT = components.declare_component("gpmb_live_map", path=str(Path(__file__).resolve().parent / "map_component"))


def live_map(map_key: str, document: Callable[[], str], state: dict, *, height: int,
             title: str = "Bản đồ tiến độ GPMB",
             view: Callable[[dict], tuple[str, dict]] | None = None) -> None:
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
    view : callable, optional
        Viewport mode (a page built without parcels, ``mapview.viewport``): called with the view the browser
        reported (``{w, s, e, n, z}``), returns (token, :func:`mapview.viewport.view_payload`); the payload is
        sent instead of ``state`` (then only the whole layer's title, legend and counts are used), and the
        browser applies each token once. None: the page carries every parcel and ``state`` restyles it.
    """
    value = st.session_state.get(WIDGET_KEY)
    held = value.get("key") if isinstance(value, dict) else value
    shown = value.get("view") if isinstance(value, dict) and held == map_key else None
    extra: dict = {}
    if view is not None:
        state = {k: v for k, v in state.items() if k not in ("s", "r", "v", "d", "f", "markers")}
        if shown:
            extra["view_token"], extra["view"] = view(shown)
    small, binary = packed_state(state) if view is None else (state, {})
    _COMPONENT(key=WIDGET_KEY, default=None, map_key=map_key, state=small, height=height, title=title,
               document=None if held == map_key else document(),
               **{f"state_{name}": data for name, data in binary.items()}, **extra)


def packed_state(state: dict) -> tuple[dict, dict[str, bytes]]:
    """:func:`mapview.parcel_layer.pack_state` of ``state``, once per state object: the cached states
    (``dashboard.state.map_state``) are read-only and live as long as their cache entry, so a date or
    filter seen before costs no packing. The per-parcel vectors go as bytes arguments (``state_s`` …):
    Streamlit copies them into the message instead of JSON-encoding 50 000-element lists."""
    from mapview.parcel_layer import pack_state

    with _PACKED_LOCK:   # the app's sessions run in threads
        hit = _PACKED.get(id(state))
    if hit is None or hit[0] is not state:
        hit = (state, *pack_state(state))
        with _PACKED_LOCK:
            _PACKED[id(state)] = hit
            while len(_PACKED) > _PACKED_MAX:
                _PACKED.pop(next(iter(_PACKED)))
    return hit[1], hit[2]


#: Packed states by id of the state (the state itself is kept in the value, so its id is not reused).
_PACKED: dict[int, tuple] = {}
_PACKED_MAX = 64
_PACKED_LOCK = threading.Lock()

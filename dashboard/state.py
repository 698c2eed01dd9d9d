"""Shared dashboard state: the as-of date, the store, the cached snapshot and map, the sidebar filters.

Every page reads the same values from here, so all pages show figures at the same as-of date.
Caching belongs to this view layer (STYLE.md): the computations below it are plain functions.

* :func:`as_of` – the date picked in the sidebar (default 30/06/2024, the expressway's 70 % milestone).
* :func:`store` – one store per process and database URL (``st.cache_resource``).
* :func:`snapshot` – the figures of ``milestones.snapshot.compute_snapshot(store, as_of)`` cached per
  (as_of, database URL, store ``data_version``): a new upload or revert changes the version and so
  recomputes; moving the date back to an earlier value is served from the cache. A new as-of date
  only slices the store's prepared data (``milestones.prepared``: tables, sorted events and per-day
  state changes, built once per data version) and runs the as-of steps. The caches hold the objects
  themselves (``st.cache_resource``, no copy per rerun, ~0.1 s saved each time): treat them as
  read-only.
* :func:`filters` – the sidebar filters as a hashable :class:`dashboard.filters.Filters`.
* :func:`map_document` / :func:`map_state` / :func:`map_key` – the live map: the page (geometry) once per
  (project filter, data version), then a small state vector per (as_of, filters); the parcel geometry
  itself is also memoised per data version in ``mapview.cache``. The state carries the complaint / unpaid
  markers of its date (from the cached :func:`people` figures).

Errors never reach the screen as tracebacks: :func:`store` and :func:`snapshot` log the detail and show
a Vietnamese message, then stop the page (``st.stop()``).
"""
from __future__ import annotations

import logging
import os
from datetime import date
from typing import TYPE_CHECKING, Any

import streamlit as st

from domain.errors import GpmbError
from domain.stages import STAGES
from milestones.filters import Filters
from vocab.format import fmt_date
from vocab.labels import EMPTY_STORE_VI, STAGE_LABELS_VI

if TYPE_CHECKING:
    from milestones.snapshot import Snapshot
    from store.protocol import StoreReader


log = logging.getLogger(__name__)

#: Default as-of date: the expressway's first 2024 milestone (70 % of area by 30/6/2024).
DEFAULT_AS_OF = date(2024, 6, 30)
#: Range offered by the date picker.
MIN_AS_OF = date(2020, 1, 1)
MAX_AS_OF = date(2030, 12, 31)

#: Session-state keys (also the widget keys, for tests: ``at.date_input(key=AS_OF_KEY)``).
AS_OF_KEY = "as_of"
PROJECTS_KEY = "filter_project_ids"
COMMUNES_KEY = "filter_communes"
STAGES_KEY = "filter_stages"
AT_RISK_KEY = "filter_at_risk_only"


# --------------------------------------------------------------------------------------------- store
def database_url() -> str | None:
    """``$DATABASE_URL`` or None (the store then uses its default file ``data/gpmb.gpkg``)."""
    return os.environ.get("DATABASE_URL") or None


def _open_store(url: str | None) -> Any:
    from milestones.status_layer import install
    from store import (
        open_store,  # imported late: the dashboard starts even if the store is broken
    )

    install()  # every write of this process keeps the store's parcel_status layer current
    return open_store(url)


def _compute_snapshot(the_store: StoreReader, as_of_date: date) -> Snapshot:
    """``compute_snapshot(the_store, as_of_date)``, sliced from the store's prepared data (same figures).

    The as-of-independent part (tables read from the store, sorted parcel events, per-day state
    changes) is prepared once per store and data version (:func:`_cached_prepared`); a new as-of date
    only runs :func:`milestones.prepared.snapshot_at`.
    """
    from milestones.prepared import snapshot_at

    return snapshot_at(_cached_prepared(the_store, id(the_store), data_version_key(the_store)), as_of_date)


@st.cache_resource(show_spinner="Đang đọc sổ theo dõi…", max_entries=4)
def _cached_prepared(_the_store: StoreReader, store_id: int, version: tuple) -> Any:
    """:func:`milestones.prepared.prepare` of the store, one per (store object, data_version); read-only."""
    from milestones.prepared import prepare

    return prepare(_the_store)


@st.cache_resource(show_spinner="Đang mở kho dữ liệu…")
def _cached_store(url: str | None) -> Any:
    return _open_store(url)


def _fail(message: str, exc: BaseException) -> None:
    """Show why the page cannot go on and stop it: a :class:`GpmbError` says so itself (``message_vi``);
    anything else gets ``message`` and its type, the traceback going to the server log only."""
    if isinstance(exc, GpmbError):
        log.info("%s: %s", message, exc.message_vi)
        st.error(exc.message_vi)
    else:
        log.exception("%s", message, exc_info=exc)
        st.error(f"{message} Chi tiết kỹ thuật đã được ghi vào nhật ký máy chủ ({type(exc).__name__}).")
    st.stop()


def store() -> Any:
    """The open store (``store.open_store(DATABASE_URL)``), one per process and URL.

    On failure shows a Vietnamese error and stops the page (the traceback goes to the log).
    """
    try:
        return _cached_store(database_url())
    except Exception as exc:  # noqa: BLE001 - no traceback in the UI
        _fail("Không mở được kho dữ liệu GPMB (DATABASE_URL hoặc tệp data/gpmb.gpkg).", exc)


def account_units() -> tuple[str, ...]:
    """The unit codes the logged-in account is limited to (sorted); ``()`` for every unit (a province-level
    account, or nobody logged in yet). Part of every cache key of figures (:func:`snapshot`)."""
    from dashboard.auth import current_account  # here: dashboard.auth imports this module
    from domain.roles import unit_scope

    scope = unit_scope(current_account())
    return tuple(sorted(scope)) if scope else ()


@st.cache_resource(show_spinner=False)
def _cached_reader(url: str | None, units: tuple[str, ...]) -> Any:
    """The store, or its :class:`store.scoped.ScopedStore` for ``units`` (one object per URL and units)."""
    the_store = _cached_store(url)
    if not units:
        return the_store
    from store.scoped import ScopedStore

    return ScopedStore(the_store, units)


def reader() -> Any:
    """What the logged-in account may read: ``store().scoped(account)`` (its units' projects, parcels,
    events …; the whole store for a province-level account). Views read figures through it; writes go to
    :func:`store`, which checks the account's units itself."""
    try:
        return _cached_reader(database_url(), account_units())
    except Exception as exc:  # noqa: BLE001 - no traceback in the UI
        _fail("Không mở được kho dữ liệu GPMB (DATABASE_URL hoặc tệp data/gpmb.gpkg).", exc)


def visible_units() -> Any:
    """The units the logged-in account sees (``unit_code``, ``name``, ``province``): ``reader().units()``;
    None for a reader without a units table (``units()`` is not part of ``StoreReader``: test doubles)."""
    the_reader = reader()
    return the_reader.units() if hasattr(the_reader, "units") else None


def data_version_key(the_store: StoreReader | None = None) -> tuple:
    """The ``data_version()`` of ``the_store`` (default: :func:`reader`, so the account's units are in it) as
    a hashable tuple of (key, str(value)) pairs (a cache key)."""
    the_store = the_store if the_store is not None else reader()
    version = the_store.data_version() or {}
    return tuple(sorted((str(k), str(v)) for k, v in dict(version).items()))


# ------------------------------------------------------------------------------------------- as-of
def as_of() -> date:
    """The as-of date picked in the sidebar (``st.session_state['as_of']``), default 30/06/2024."""
    value = st.session_state.get(AS_OF_KEY, DEFAULT_AS_OF)
    return value if isinstance(value, date) else DEFAULT_AS_OF


# ---------------------------------------------------------------------------------------- snapshot
@st.cache_resource(show_spinner="Đang tính tiến độ…", max_entries=16)
def _cached_snapshot(as_of_date: date, url: str | None, version: tuple, units: tuple[str, ...] = ()) -> Any:
    return _compute_snapshot(_cached_reader(url, units), as_of_date)


def snapshot(as_of_date: date | None = None) -> Any:
    """``compute_snapshot(reader(), as_of)`` cached per (as_of, DATABASE_URL, data_version, account's units).

    Parameters
    ----------
    as_of_date : date, optional
        Defaults to :func:`as_of`.

    Returns
    -------
    milestones.snapshot.Snapshot
        Fields as in DATA_MODEL.md (``parcels`` GeoDataFrame in EPSG:9215, ``projects``,
        ``communes``, ``segments``, ``milestones``, ``s_curve`` …). Treat it as read-only.
    """
    the_reader = reader()
    day = as_of_date or as_of()
    try:
        return _cached_snapshot(day, database_url(), data_version_key(the_reader), account_units())
    except Exception as exc:  # noqa: BLE001 - no traceback in the UI
        _fail(f"Không tính được tiến độ tại ngày {fmt_date(day)}.", exc)


# ----------------------------------------------------------------------------------------- filters
def filters() -> Filters:
    """The sidebar filters (project, commune, stage, at-risk only) as a hashable :class:`Filters`."""
    ss = st.session_state
    return Filters(
        project_ids=tuple(ss.get(PROJECTS_KEY) or ()),
        communes=tuple(ss.get(COMMUNES_KEY) or ()),
        stages=tuple(ss.get(STAGES_KEY) or ()),
        at_risk_only=bool(ss.get(AT_RISK_KEY, False)),
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _store_project_names(url: str | None, version: tuple) -> dict[str, str]:
    projects = _cached_store(url).projects()
    col = "short_name" if "short_name" in projects.columns else "name"
    return {str(p): str(n) for p, n in zip(projects["project_id"], projects[col]) if isinstance(n, str) and n}


def project_names(snap: Any) -> dict[str, str]:
    """``project_id`` → short name (``short_name`` of the store's projects layer, else ``name``), in the
    order of the snapshot's projects table."""
    try:
        short = _store_project_names(database_url(), data_version_key(_cached_store(database_url())))
    except Exception:
        log.exception("Cannot read project names from the store")
        short = {}
    projects = snap.projects
    out = {}
    for _, r in projects.iterrows():
        pid = str(r["project_id"])
        out[pid] = short.get(pid) or str(r.get("short_name") or r.get("name") or pid)
    return out


def _distinct_texts(column: Any) -> set[str]:
    # pandas' unique() in C, then str() of the few distinct names: iterating an Arrow string column of
    # 50 000 parcels in Python took 0.17 s of every rerun (issue 13).
    return {str(c) for c in column.dropna().unique()}


def commune_options(snap: Any, project_ids: tuple[str, ...] = ()) -> list[str]:
    """Commune names offered by the commune filter: 2025 units first, then the pre-2025 communes."""
    parcels = snap.parcels
    if project_ids:
        parcels = parcels[parcels["project_id"].isin(project_ids)]
    new = sorted(_distinct_texts(parcels["commune"]))
    old = sorted(_distinct_texts(parcels["commune_former"]) - set(new)) if "commune_former" in parcels else []
    return new + old


@st.cache_resource(show_spinner=False, max_entries=16)
def _cached_commune_options(project_ids: tuple[str, ...], url: str | None, version: tuple,
                            units: tuple[str, ...], _snap: Any) -> list[str]:
    """:func:`commune_options` once per (project filter, data version, account's units): the parcels'
    communes do not change with the as-of date, so ``_snap`` (any date's snapshot) is not part of the key."""
    return commune_options(_snap, project_ids)


def render_sidebar() -> None:
    """Draw the as-of date picker and the filters in the sidebar (called by ``app.py`` on every run)."""
    sb = st.sidebar
    sb.date_input(
        "Ngày số liệu (tính đến ngày)",
        value=DEFAULT_AS_OF,
        min_value=MIN_AS_OF,
        max_value=MAX_AS_OF,
        key=AS_OF_KEY,
        format="DD/MM/YYYY",
        help="Mọi số liệu trên mọi trang được tính tại ngày này.",
    )
    try:
        units = account_units()
        version = data_version_key(_cached_reader(database_url(), units))
        snap = _cached_snapshot(as_of(), database_url(), version, units)
    except Exception:
        log.exception("Sidebar: store or snapshot unavailable")
        sb.warning("Chưa có dữ liệu để lọc.")
        return
    if len(snap.projects) == 0:  # a store made by ``init`` without --demo
        sb.info(EMPTY_STORE_VI)
    names = project_names(snap)
    sb.multiselect("Dự án", options=list(names), format_func=lambda p: names.get(p, p), key=PROJECTS_KEY,
                   placeholder="Tất cả dự án")
    chosen = tuple(st.session_state.get(PROJECTS_KEY) or ())
    communes = list(_cached_commune_options(chosen, database_url(), version, units, snap))
    # Keep earlier choices valid when the project filter narrows the list.
    if COMMUNES_KEY in st.session_state:
        st.session_state[COMMUNES_KEY] = [c for c in st.session_state[COMMUNES_KEY] if c in communes]
    sb.multiselect("Xã / phường (tên mới hoặc tên cũ)", options=communes, key=COMMUNES_KEY,
                   placeholder="Tất cả xã, phường")
    sb.multiselect("Giai đoạn", options=list(STAGES), format_func=STAGE_LABELS_VI.get, key=STAGES_KEY,
                   placeholder="Tất cả giai đoạn")
    sb.checkbox("Chỉ thửa có rủi ro tiến độ", key=AT_RISK_KEY)


def render_store_footer() -> None:
    """At the bottom of the sidebar: which store the figures come from (``Store.identity()``: its id and
    creation time; issue 10), the same words as every export's footer. Nothing when no store opens."""
    from exports.provenance import DataVersion

    try:
        ident = _cached_store(database_url()).identity()
    except Exception:
        log.debug("Sidebar footer: store unavailable", exc_info=True)
        return
    st.sidebar.divider()
    st.sidebar.caption(DataVersion(None, None, ident.store_id, ident.created_at).store_text_vi())


# --------------------------------------------------------------------------------------------- map
def map_key(the_filters: Filters | None = None) -> str:
    """Key of the live map page: the data version and the project filter (what the geometry it carries
    depends on); a date or another filter keeps the page and changes only its state."""
    f = the_filters if the_filters is not None else filters()
    return repr((database_url(), data_version_key(reader()), f.project_ids, account_units()))


@st.cache_data(show_spinner="Đang chuẩn bị bản đồ…", max_entries=8)
def _cached_map_document(project_ids: tuple[str, ...], url: str | None, version: tuple, _as_of_date: date,
                         units: tuple[str, ...] = (), viewport: bool = False) -> str:
    from mapview import build_map, standalone_html

    snap = _cached_snapshot(_as_of_date, url, version, units)
    # The complaint/unpaid markers of this date; later dates bring theirs in the state (_cached_map_state).
    # The state of this date and project filter is the cached one (map_by_viewport and the page read it
    # first): build_map does not compute it, nor its markers, again.
    the_filters = Filters(project_ids=project_ids)
    state = {k: v for k, v in _cached_map_state(_as_of_date, the_filters, url, version, units).items() if k != "size"}
    return standalone_html(build_map(snap, _cached_reader(url, units), the_filters,
                                     people=_people_of_store(_as_of_date, url), viewport=viewport, state=state))


def viewport_above() -> int:
    """Parcels above which the live map loads its parcels by viewport: ``$GPMB_MAP_VIEWPORT_ABOVE`` or
    :data:`mapview.viewport.VIEWPORT_ABOVE` (100 000)."""
    from mapview.viewport import VIEWPORT_ABOVE

    try:
        return int(os.environ.get("GPMB_MAP_VIEWPORT_ABOVE", VIEWPORT_ABOVE))
    except ValueError:
        return VIEWPORT_ABOVE


def map_by_viewport(the_filters: Filters | None = None) -> bool:
    """Whether the live map of ``the_filters``' projects has more parcels than :func:`viewport_above` (then
    the page carries none and each view asks for its own: :func:`map_view`)."""
    f = the_filters if the_filters is not None else filters()
    return int(_cached_map_state(as_of(), Filters(project_ids=f.project_ids), database_url(),
                                 data_version_key(reader()), account_units())["size"]) > viewport_above()


def map_document(the_filters: Filters | None = None) -> str:
    """The live map page for the project filter of ``the_filters``, built once per (project filter,
    DATABASE_URL, data_version) at the current as-of date; later dates reach it as a state
    (:func:`map_state`). Stops the page with a Vietnamese message if it cannot be built."""
    f = the_filters if the_filters is not None else filters()
    day = as_of()
    try:
        return _cached_map_document(f.project_ids, database_url(), data_version_key(reader()), day, account_units(),
                                    map_by_viewport(f))
    except Exception as exc:  # noqa: BLE001 - no traceback in the UI
        _fail(f"Không vẽ được bản đồ tại ngày {fmt_date(day)}.", exc)


@st.cache_resource(show_spinner=False, max_entries=16)
def _cached_date_state(as_of_date: date, project_ids: tuple[str, ...], url: str | None, version: tuple,
                       units: tuple[str, ...] = ()) -> dict:
    """The filter-independent part of the map state (stages, risk, dates, flags), one per as-of date and
    project filter: another commune / stage / at-risk filter reuses it. Read-only."""
    from mapview.parcel_layer import map_date_state

    return map_date_state(_cached_snapshot(as_of_date, url, version, units), project_ids)


@st.cache_resource(show_spinner=False, max_entries=16)
def _cached_marker_masks(as_of_date: date, project_ids: tuple[str, ...], url: str | None, version: tuple,
                         units: tuple[str, ...] = ()) -> tuple:
    """The complaint / unpaid marker masks of the map's parcels (:func:`mapview.parcel_layer.map_marker_masks`),
    one per as-of date and project filter: another commune / stage / at-risk filter reuses them. Read-only."""
    from mapview.parcel_layer import map_marker_masks

    snap = _cached_snapshot(as_of_date, url, version, units)
    return map_marker_masks(snap, project_ids, people=_people_of_store(as_of_date, url),
                            letter_keys=_cached_letter_keys(url, version, units, snap))


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_letter_keys(url: str | None, version: tuple, units: tuple[str, ...], _snap: Any) -> Any:
    """:func:`milestones.complaints.letter_keys` of the parcels, once per data version and account's units (the
    parcel numbers do not change with the as-of date: ``_snap``, any date's snapshot, is not part of the key)."""
    from milestones.complaints import letter_keys

    return letter_keys(_snap.parcels)


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_project_table(url: str | None, version: tuple, units: tuple[str, ...] = ()) -> Any:
    from mapview.context import project_table

    return project_table(_cached_reader(url, units))


# cache_resource, not cache_data: the state is a few MB of lists at 50 000 parcels, and cache_data would
# unpickle a copy of it on every rerun; the component only serialises it (read-only).
@st.cache_resource(show_spinner=False, max_entries=64)
def _cached_map_state(as_of_date: date, the_filters: Filters, url: str | None, version: tuple,
                      units: tuple[str, ...] = ()) -> dict:
    from mapview.parcel_layer import map_state

    dated = _cached_date_state(as_of_date, the_filters.project_ids, url, version, units)
    masks = _cached_marker_masks(as_of_date, the_filters.project_ids, url, version, units)
    state = map_state(_cached_snapshot(as_of_date, url, version, units), _cached_project_table(url, version, units),
                      the_filters, dated, marker_masks=masks)
    return {**state, "size": len(state["s"])}   # parcels of the page (its project filter), shown or not


def map_state(as_of_date: date | None = None, the_filters: Filters | None = None) -> dict:
    """The state vector of the live map at ``as_of`` with ``filters`` (:func:`mapview.parcel_layer.map_state`),
    cached per (as_of, filters, DATABASE_URL, data_version)."""
    day = as_of_date or as_of()
    f = the_filters if the_filters is not None else filters()
    try:
        return _cached_map_state(day, f, database_url(), data_version_key(reader()), account_units())
    except Exception as exc:  # noqa: BLE001 - no traceback in the UI
        _fail(f"Không vẽ được bản đồ tại ngày {fmt_date(day)}.", exc)


# ------------------------------------------------------------------------------------------ league
@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_events(url: str | None, version: tuple, units: tuple[str, ...] = ()) -> Any:
    """The ledger the account reads, once per data version (no copy per rerun: read-only)."""
    return _cached_reader(url, units).events()


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_count_dates(unit: str, url: str | None, version: tuple, units: tuple[str, ...], _snap: Any) -> dict:
    """:func:`milestones.league.count_dates` once per (unit, data version, account's units): the parcels' communes
    and the ledger do not change with the as-of date, so ``_snap`` (any date's snapshot) is not part of the key."""
    from milestones.league import count_dates

    return count_dates(_snap.parcels, _cached_events(url, version, units), unit)


@st.cache_resource(show_spinner="Đang xếp hạng xã, phường…", max_entries=16)
def _cached_league(as_of_date: date, unit: str, url: str | None, version: tuple, units: tuple[str, ...] = ()) -> Any:
    from milestones.league import communes_league

    snap = _cached_snapshot(as_of_date, url, version, units)
    return communes_league(snap, _cached_events(url, version, units), unit=unit,
                           counts=_cached_count_dates(unit, url, version, units, snap))


def league(unit: str, as_of_date: date | None = None) -> Any:
    """:func:`milestones.league.communes_league` of :func:`snapshot` for ``unit`` (``commune`` | ``former``),
    all projects and communes, cached per (as_of, unit, DATABASE_URL, data_version, account's units): a
    project or commune filter only selects its rows. Treat it as read-only."""
    day = as_of_date or as_of()
    try:
        return _cached_league(day, unit, database_url(), data_version_key(reader()), account_units())
    except Exception as exc:  # noqa: BLE001 - no traceback in the UI
        _fail(f"Không tính được bảng xếp hạng xã, phường tại ngày {fmt_date(day)}.", exc)


# ------------------------------------------------------------------------------------ people side
@st.cache_resource(show_spinner="Đang đọc sổ hộ dân, chi trả, đơn thư…", max_entries=4)
def _cached_people_registers(url: str | None, version: tuple) -> Any:
    """:func:`milestones.people.read_people` of the store, once per data version: a new as-of date only
    computes (:func:`_cached_people`). Read-only."""
    from milestones.people import read_people

    return read_people(_cached_store(url))


@st.cache_resource(show_spinner="Đang tính số liệu hộ dân, chi trả, đơn thư…", max_entries=8)
def _cached_people(as_of_date: date, url: str | None, version: tuple) -> Any:
    from milestones.people import people_at

    return people_at(_cached_people_registers(url, version), as_of_date)


def _people_of_store(as_of_date: date, url: str | None) -> Any:
    """The cached people figures of the whole store (the map's markers: only the shown parcels get one)."""
    return _cached_people(as_of_date, url, data_version_key(_cached_store(url)))


def people(as_of_date: date | None = None) -> Any:
    """:func:`milestones.people.people_figures` at ``as_of`` (default :func:`as_of`), cached per (as_of,
    DATABASE_URL, data_version); no personal data. Treat it as read-only."""
    the_store = store()
    day = as_of_date or as_of()
    try:
        return _cached_people(day, database_url(), data_version_key(the_store))
    except Exception as exc:  # noqa: BLE001 - no traceback in the UI
        _fail(f"Không tính được số liệu hộ dân, chi trả, đơn thư tại ngày {fmt_date(day)}.", exc)


# ------------------------------------------------------------------------------------ map by viewport
@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_view_parts(project_ids: tuple[str, ...], url: str | None, version: tuple, units: tuple[str, ...],
                       _snap: Any) -> tuple:
    """(payload parcels, their :class:`mapview.viewport.ViewIndex`, static columns) of the project filter, once
    per data version: geometry and tooltip columns do not change with the date (``_snap``: any date's)."""
    from mapview.cache import StoreMemo
    from mapview.viewport import static_columns, view_index, view_parcels

    parcels = view_parcels(_snap.parcels, project_ids)
    columns, _tables = static_columns(StoreMemo(_cached_reader(url, units)), parcels,
                                      _cached_project_table(url, version, units))
    return parcels, view_index(parcels), columns


@st.cache_resource(show_spinner=False, max_entries=32)
def _cached_map_view(as_of_date: date, the_filters: Filters, view: tuple, url: str | None, version: tuple,
                     units: tuple[str, ...] = ()) -> dict:
    from mapview.viewport import view_payload

    snap = _cached_snapshot(as_of_date, url, version, units)
    parcels, index, columns = _cached_view_parts(the_filters.project_ids, url, version, units, snap)
    full = _cached_map_state(as_of_date, the_filters, url, version, units)
    return view_payload(parcels, columns, full, index, dict(view))


def map_view(view: dict, as_of_date: date | None = None, the_filters: Filters | None = None) -> tuple[str, dict]:
    """(token, :func:`mapview.viewport.view_payload`) of ``view`` (``w``, ``s``, ``e``, ``n`` in degrees, as the
    map reported it) at ``as_of`` with ``filters``, cached per (as_of, filters, view, DATABASE_URL,
    data_version); the token changes with any of them (the browser applies each payload once)."""
    day = as_of_date or as_of()
    f = the_filters if the_filters is not None else filters()
    box = tuple((k, round(float(view[k]), 6)) for k in ("w", "s", "e", "n"))
    try:
        version = data_version_key(reader())
        return repr((day, f, box, version)), _cached_map_view(day, f, box, database_url(), version, account_units())
    except Exception as exc:  # noqa: BLE001 - no traceback in the UI
        _fail(f"Không vẽ được bản đồ tại ngày {fmt_date(day)}.", exc)

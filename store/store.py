"""The store: layers, milestones, rules and the append-only ledger of field-count uploads.

One implementation over SQLAlchemy Core serves both backends (GeoPackage/SQLite file and
PostgreSQL/PostGIS); every write is one transaction (see :mod:`store.engine`). The store returns
data and never formats it for display. Ledger rows are checked in :mod:`store.ledger`; filling from
``data/sources/`` is :mod:`store.seed`.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import yaml
from sqlalchemy import select

from store import layer_versions, schema, seed, sources, uploads
from store.engine import checkpoint, make_engine, read_connection, resolve_url, write_transaction
from store.errors import StoreError, UploadResult
from store.layer_versions import LAYER_COLUMNS, LAYER_DATE_COLUMNS, LAYER_TITLES_VI
from store.layers import read_layer_table
from store.ledger import pause_for_tests, prepare_events
from store.uploads import UPLOAD_SOURCES

__all__ = ["LAYER_COLUMNS", "LAYER_DATE_COLUMNS", "LAYER_TITLES_VI", "SOURCES_DIR_ENV", "UPLOAD_SOURCES", "Store",
           "StoreError", "UploadResult", "open_store"]

log = logging.getLogger(__name__)

#: Environment variable naming another sources folder (tests, other districts).
SOURCES_DIR_ENV = "GPMB_SOURCES_DIR"


class Store:
    """Access to one store (see :func:`open_store`). Thread-safe; every write is one transaction.

    Attributes
    ----------
    url : str
        SQLAlchemy URL of the store.
    backend : str
        ``"sqlite"`` (GeoPackage file) or ``"postgresql"`` (PostGIS).
    """

    def __init__(self, url: str, engine):
        self.url = url
        self.engine = engine
        self.backend = engine.dialect.name

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Release the connections (the store can be reopened with :func:`open_store`)."""
        self.engine.dispose()

    # ------------------------------------------------------------------ layers
    def _read(self, table_name: str, where=None):
        with read_connection(self.engine) as conn:
            return read_layer_table(conn, table_name, where)

    def projects(self) -> gpd.GeoDataFrame:
        """Projects, EPSG:9215, geometry = clearance boundary (MultiPolygon); columns as DATA_MODEL.md."""
        return self._read("projects")

    def centrelines(self) -> gpd.GeoDataFrame:
        """Centrelines, EPSG:9215 LineStrings in increasing chainage (``project_id``, ``chainage_start_m`` …)."""
        return self._read("centrelines")

    def parcels(self, project_id: str | None = None) -> gpd.GeoDataFrame:
        """Parcels, EPSG:9215, columns as DATA_MODEL.md; only ``project_id``'s when given."""
        if project_id is None:
            return self._read("parcels")
        return self._read("parcels", lambda t: t.c.project_id == project_id)

    def communes(self) -> gpd.GeoDataFrame:
        """2025 communes/wards, EPSG:9215 (``name``, ``full_name``, ``code``, ``former_units`` …)."""
        return self._read("communes")

    def roads(self) -> gpd.GeoDataFrame:
        """Roads and railway context layer, EPSG:9215."""
        return self._read("roads")

    def milestones(self) -> pd.DataFrame:
        """Milestones as in ``milestones.csv`` (``due_date`` text dd/mm/yyyy, ``target_percent`` 0–100)."""
        return self._read("milestones")

    def rules(self) -> dict:
        """Rules from ``rules.yaml`` (stage duration limits in days, forecast window …)."""
        with read_connection(self.engine) as conn:
            raw = conn.execute(select(schema.store_meta.c.value).where(schema.store_meta.c.key == "rules_yaml")
                               ).scalar()
        return yaml.safe_load(raw) if raw else {}

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """Current version of the versioned layer ``name`` (one of :data:`LAYER_COLUMNS`)."""
        layer_versions.check_layer_name(name)
        return self._read(name)

    def replace_layer(self, name: str, gdf: gpd.GeoDataFrame, *, report: dict, source: str = "import",
                      expected_version: int | None = None) -> int:
        """Make ``gdf`` the current version of layer ``name``, keeping the previous version restorable.

        One transaction: the current table is kept as ``<name>__v<N>``, the new data becomes the table
        ``<name>`` (a GeoPackage layer on SQLite), and a ``layer_versions`` row records the version,
        time, feature count and ``report``. Same as ``replace_layers({name: gdf}, …)``.

        Parameters
        ----------
        name : str
            ``projects``, ``centrelines``, ``parcels``, ``communes`` or ``roads``.
        gdf : GeoDataFrame
            The new layer with a CRS (reprojected to EPSG:9215 if needed) and at least the contract
            columns of :data:`LAYER_COLUMNS` for that layer.
        report : dict
            Import report kept with the version (JSON-serialisable; other values stored as text).
        source : str
            What made the version (``import``, ``restore`` …).
        expected_version : int, optional
            Refuse (nothing written) unless the layer's current version is this one (see
            :meth:`replace_layers`).

        Returns
        -------
        int
            The new version number (versions start at 1 and increase by one).

        Raises
        ------
        StoreError
            Unknown layer, not a GeoDataFrame, no CRS, missing contract columns, unusable column
            names or dates, or a version conflict.
        """
        expected = None if expected_version is None else {name: expected_version}
        return self.replace_layers({name: gdf}, report=report, source=source, expected_versions=expected)[name]

    def replace_layers(self, layers: Mapping[str, gpd.GeoDataFrame], *, report: dict,
                       reports: Mapping[str, dict] | None = None, source: str = "import",
                       expected_versions: Mapping[str, int] | None = None) -> dict[str, int]:
        """Replace several layers in ONE transaction: all of them become new versions, or none does.

        Used where one user action changes more than one layer (a new clearance boundary changes
        ``projects`` and the parcels' ``area_to_recover_m2``; a new project adds to ``projects`` and
        ``centrelines``), so that a failure half-way (bad data, database error, killed process)
        leaves every layer exactly as it was (issue 5: "nothing partial is committed").

        Every layer is checked before anything is written (name, GeoDataFrame, CRS, contract
        columns, column names, date columns); then, in one write transaction, each current table is
        archived as ``<name>__v<N>``, the new one written and a ``layer_versions`` row added.

        Parameters
        ----------
        layers : mapping of str to GeoDataFrame
            Layer name (``projects``, ``centrelines``, ``parcels``, ``communes``, ``roads``) → the new
            layer with a CRS (reprojected to EPSG:9215 if needed) and at least the contract columns of
            :data:`LAYER_COLUMNS`. Written in the mapping's order.
        report : dict
            Report kept with every new version (JSON-serialisable; other values stored as text).
        reports : mapping of str to dict, optional
            Per-layer report replacing ``report`` for the layers it names.
        source : str
            What made the versions (``import``, ``restore`` …).
        expected_versions : mapping of str to int, optional
            Optimistic concurrency check: for each layer named, the current version the caller read
            its data from (``data_version()["layers"]``, 0 for a layer never written). If another
            writer changed the layer since, nothing is written and :class:`StoreError` is raised, so
            a read-modify-write never silently drops someone else's change. Checked inside the
            write transaction (which is serialised across processes).

        Returns
        -------
        dict of str to int
            Layer name → its new version number.

        Raises
        ------
        StoreError
            Empty ``layers``; unknown layer, not a GeoDataFrame, no CRS, missing contract columns,
            unusable column name or date (nothing written); a version conflict (nothing written).
        sqlalchemy.exc.SQLAlchemyError
            A database failure while writing; the transaction is rolled back, every layer unchanged.
        """
        if not layers:
            raise StoreError("Không có lớp nào để ghi.")
        prepared = {name: layer_versions.prepare_layer(name, gdf) for name, gdf in layers.items()}
        reports = dict(reports or {})
        unknown = [n for n in [*reports, *(expected_versions or {})] if n not in prepared]
        if unknown:
            raise StoreError(f"Báo cáo/phiên bản cho lớp không được ghi: {', '.join(map(str, unknown))}.")
        texts = {name: json.dumps(reports.get(name, report) or {}, ensure_ascii=False, default=str)
                 for name in prepared}
        versions: dict[str, int] = {}
        with write_transaction(self.engine) as conn:
            layer_versions.check_expected_versions(conn, expected_versions)
            for name, gdf in prepared.items():
                versions[name] = layer_versions.replace_layer_in(conn, name, gdf, texts[name], source)
                pause_for_tests()  # tests kill the process here, between layers
        checkpoint(self.engine)
        return versions

    def layer_versions(self, name: str) -> pd.DataFrame:
        """Versions of layer ``name``: ``version``, ``created_at`` (UTC), ``source``, ``feature_count``,
        ``report`` (dict), ``is_current`` (bool); oldest first."""
        layer_versions.check_layer_name(name)
        with read_connection(self.engine) as conn:
            return layer_versions.read_layer_versions(conn, name)

    def restore_layer(self, name: str, version: int) -> int:
        """Make an earlier version of ``name`` current again, as a new version (history is kept).

        Returns
        -------
        int
            The new version number whose content equals ``version`` (or ``version`` itself if it is
            already current).

        Raises
        ------
        StoreError
            If the layer or the version does not exist.
        """
        layer_versions.check_layer_name(name)
        with write_transaction(self.engine) as conn:
            new_version = layer_versions.restore_layer_in(conn, name, int(version))
        checkpoint(self.engine)
        return new_version

    # ------------------------------------------------------------------ ledger
    def commit_upload(self, events_df: pd.DataFrame, *, file_name: str, file_sha256: str, uploaded_by: str,
                      rows_read: int, source: str = "upload") -> UploadResult:
        """Record one upload and its events in one transaction.

        Parameters
        ----------
        events_df : DataFrame
            Validated ledger rows (see :func:`prepare_events` for columns; ``event_id`` and
            ``upload_id`` are assigned here, increasing).
        file_name, uploaded_by : str
        file_sha256 : str
            Hex SHA-256 of the uploaded file's bytes.
        rows_read : int
            Rows read from the file (valid or not).
        source : str
            ``upload`` (dashboard), ``cli`` or ``seed``.

        Returns
        -------
        UploadResult
            ``created=False`` and nothing written when a non-reverted upload with the same
            ``file_sha256`` exists (a reverted one does not count, so a file can be uploaded again).

        Raises
        ------
        StoreError
            Bad source, hash or rows (nothing is written).
        """
        sha = uploads.check_commit(source, file_sha256)
        columns = prepare_events(events_df)
        with write_transaction(self.engine) as conn:
            result = uploads.commit_in(conn, columns, file_name=file_name, file_sha256=sha, uploaded_by=uploaded_by,
                                       rows_read=int(rows_read), source=source)
        if result.created:
            checkpoint(self.engine)
        return result

    def revert_upload(self, upload_id: int, *, by: str, reason: str = "") -> None:
        """Revert an upload: its events stop counting; the revert is recorded and nothing is deleted.

        Writes, in one transaction, an ``uploads`` row with ``source='revert'`` (who and when) and a
        ``reverts`` row linking it to ``upload_id`` with the reason.

        Raises
        ------
        StoreError
            If ``upload_id`` does not exist, is itself a revert, or is already reverted.
        """
        try:
            upload_id = int(upload_id)
        except (TypeError, ValueError):
            raise StoreError(f"Mã lần tải lên không hợp lệ: {upload_id!r}.") from None
        with write_transaction(self.engine) as conn:
            uploads.revert_in(conn, upload_id, by=by, reason=reason)
        checkpoint(self.engine)

    def events(self, include_reverted: bool = False) -> pd.DataFrame:
        """The ledger of field-count events in ``event_id`` order.

        Parameters
        ----------
        include_reverted : bool
            Also return events of reverted uploads (default: excluded, as computations need).

        Returns
        -------
        DataFrame
            Columns of DATA_MODEL.md "events": ``event_id``/``upload_id`` int64, ``event_date``
            ``datetime.date``, ``area_m2``/``amount_vnd``/chainages float64 (m², VND, m; NaN when
            missing), ``households`` Int64 (nullable), ``is_correction`` bool, text columns.
        """
        with read_connection(self.engine) as conn:
            return uploads.read_events(conn, include_reverted)

    def uploads(self) -> pd.DataFrame:
        """Every upload, oldest first, with its revert if any.

        Returns
        -------
        DataFrame
            ``upload_id``, ``uploaded_at`` (UTC), ``uploaded_by``, ``file_name``, ``file_sha256``,
            ``rows_read``, ``rows_committed``, ``source`` (seed | upload | cli | revert),
            ``reverted_by_upload_id`` (Int64), ``reverted_at`` (UTC), ``reverted_by``,
            ``revert_reason``, ``reverts_upload_id`` (Int64: for a revert row, the upload it reverted).
        """
        with read_connection(self.engine) as conn:
            return uploads.read_uploads(conn)

    def data_version(self) -> dict:
        """What changed last, for cache keys.

        Returns
        -------
        dict
            ``last_upload_id`` (int, 0 if none; reverts count as uploads), ``last_change_at``
            (UTC datetime of the last upload, revert or layer version; None if none), ``layers``
            (dict layer name → current version).
        """
        with read_connection(self.engine) as conn:
            return uploads.read_data_version(conn)


def open_store(url: str | None = None, *, sources_dir: str | Path | None = None) -> Store:
    """Open (and if needed create, migrate and fill) the store.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL or a ``.gpkg`` path. None → ``$DATABASE_URL`` → ``sqlite:///<repo>/data/gpmb.gpkg``.
        PostGIS: ``postgresql+psycopg://user@host:5432/db`` (the database must exist; the ``postgis``
        extension is created if missing, which needs the right to create it).
    sources_dir : path, optional
        Folder of the bundled sources: None → ``$GPMB_SOURCES_DIR`` → ``data/sources/`` of the repository.

    Returns
    -------
    Store

    Notes
    -----
    A store at an older schema revision is migrated (Alembic, ``store/migrations``). An empty store
    is filled from ``sources_dir`` in ONE transaction: layers in EPSG:9215, milestones, rules and
    ``events.csv`` as one upload with ``source='seed'``. Source files changed since the store read
    them are reconciled (see :func:`store.seed.sync_sources`). On later runs, opening costs hashing the source
    files (a few MB) and a few small queries.

    Raises
    ------
    FileNotFoundError
        An empty store and a missing source file.
    ValueError
        An unsupported URL, or source data the store refuses.
    sqlalchemy.exc.OperationalError
        The database cannot be reached.
    """
    url = resolve_url(url)
    sources_dir = Path(sources_dir or os.environ.get(SOURCES_DIR_ENV) or sources.DEFAULT_SOURCES_DIR)
    engine = make_engine(url)
    store = Store(url, engine)
    hashes = seed.source_hashes(sources_dir)
    with read_connection(engine) as conn:
        ready = schema.current_revision(conn) == schema.HEAD_REVISION
        meta = seed.read_meta(conn) if ready else {}
    if ready and "seeded_at" in meta and all(meta.get(f"sha256:{n}") == d for n, d in hashes.items()):
        return store
    with write_transaction(engine) as conn:
        schema.ensure_schema(conn)
        if "seeded_at" not in seed.read_meta(conn):
            seed.seed(conn, sources_dir, hashes)
        else:
            seed.sync_sources(conn, sources_dir, hashes)
    checkpoint(engine)
    return store

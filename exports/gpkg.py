"""A standalone GeoPackage of the parcels and their status at an as-of date, for QGIS users.

``python cli.py export --format gpkg --as-of DATE`` (and the export page) write it: layer
``parcel_status`` (the same columns as the store's layer, :data:`domain.tables.PARCEL_STATUS_COLUMNS`,
computed at the as-of date by :func:`milestones.status_layer.status_rows`) and layer ``projects``
(clearance boundaries), EPSG:9215. The file is written by GDAL (pyogrio: GeoPackage 1.3 with its
R-tree spatial index, :data:`_DATASET_OPTIONS`), then given the store's Vietnamese field aliases
(``gpkg_data_columns``), the stage domain and the default QGIS style (``layer_styles``) by the same code as the store
(:func:`store.parcel_status.write_metadata`).

Personal data: ``owner_name`` is written only when ``options.include_personal_data`` (decided by
:func:`exports.personal.export_as`: ``export_personal`` required, file name marked, audited); the
layer's description then carries :data:`exports.personal.PERSONAL_DATA_NOTICE_VI`.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyogrio
from sqlalchemy import create_engine, text

from exports.options import ExportOptions
from milestones.status_layer import status_rows
from store.parcel_status import STATUS_TABLE, STATUS_TITLE_VI, ensure_gpkg_schema_extension, write_metadata
from vocab.format import fmt_date
from vocab.headers import PARCEL_HEADERS_VI, STATUS_LAYER_HEADERS_VI

#: A GeoPackage 1.3 file, like the store's: GDAL then writes the 1.3 R-tree triggers (``update1``/``update3``),
#: which every QGIS and GDAL's validator of Debian 12 (3.6, the tests') accept; 1.4 triggers it refuses.
_DATASET_OPTIONS = {"VERSION": "1.3"}

#: Column of the parcels holding personal data that a permitted export adds.
PERSONAL_COLUMN = "owner_name"


def status_layer(snapshot, options: ExportOptions) -> pd.DataFrame:
    """The rows of the exported ``parcel_status`` layer (one project's when ``options.project_id``).

    Raises
    ------
    ValueError
        ``options.project_id`` has no parcel (Vietnamese message).
    """
    rows = status_rows(snapshot)
    if options.include_personal_data and PERSONAL_COLUMN in snapshot.parcels.columns:
        rows.insert(len(rows.columns) - 1, PERSONAL_COLUMN, snapshot.parcels[PERSONAL_COLUMN].to_numpy())
    if options.project_id:
        rows = rows[rows["project_id"] == options.project_id]
        if rows.empty:
            raise ValueError(f"Dự án {options.project_id!r} không có thửa đất nào để xuất.")
    return rows.reset_index(drop=True)


def export_gpkg(snapshot, store, options: ExportOptions) -> bytes:
    """The GeoPackage file (bytes) of ``snapshot``: layers ``parcel_status`` and ``projects``, aliases, style.

    Parameters
    ----------
    snapshot : milestones.snapshot.Snapshot
        The figures at the as-of date (``compute_snapshot(store, as_of)``).
    store : store.protocol.LayerReader
        For the ``projects`` layer (clearance boundaries, EPSG:9215).
    options : ExportOptions
        ``project_id``, ``include_personal_data`` (already allowed by :func:`exports.personal.export_as`).
    """
    from exports.personal import PERSONAL_DATA_NOTICE_VI

    rows = status_layer(snapshot, options)
    aliases = dict(STATUS_LAYER_HEADERS_VI)
    description = f"{STATUS_TITLE_VI} – số liệu đến ngày {fmt_date(snapshot.as_of)}"
    if PERSONAL_COLUMN in rows.columns:
        aliases[PERSONAL_COLUMN] = PARCEL_HEADERS_VI[PERSONAL_COLUMN]
        description += f". {PERSONAL_DATA_NOTICE_VI}"
    projects = store.projects()
    if options.project_id:
        projects = projects[projects["project_id"] == options.project_id]
    with tempfile.TemporaryDirectory(prefix="gpmb-gpkg-") as folder:
        path = Path(folder) / "export.gpkg"
        pyogrio.write_dataframe(_typed(rows), path, layer=STATUS_TABLE, driver="GPKG", promote_to_multi=True,
                                use_arrow=True, dataset_options=_DATASET_OPTIONS,
                                layer_options={"DESCRIPTION": description, "IDENTIFIER": STATUS_TABLE})
        pyogrio.write_dataframe(projects, path, layer="projects", driver="GPKG", append=False,
                                layer_options={"DESCRIPTION": "Ranh giới GPMB của các dự án"})
        _add_metadata(path, aliases)
        return path.read_bytes()


#: Columns written as GeoPackage DATE and INTEGER (the store's types of the same columns); ``parcel_number``
#: is TEXT, as in the store (a text key, ``263A``).
_DATE_COLUMNS = ("stage_date", "next_deadline", "as_of")
_INT_COLUMNS = ("map_sheet", "stage_rank", "days_in_stage", "days_overdue")


def _typed(rows: pd.DataFrame) -> pd.DataFrame:
    """Dates as Arrow ``date32`` (GDAL: DATE, not text or DATETIME), integers nullable ``Int64``."""
    out = rows.copy()
    for col in _DATE_COLUMNS:
        out[col] = pd.array([None if pd.isna(v) else pd.Timestamp(v).date() for v in out[col]],
                            dtype=pd.ArrowDtype(pa.date32()))
    for col in _INT_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    return out


def _add_metadata(path: Path, aliases: dict) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            ensure_gpkg_schema_extension(conn)
            write_metadata(conn, STATUS_TABLE, aliases)
        with engine.connect() as conn:
            conn.execute(text("VACUUM"))  # one compact file, no journal beside it
    finally:
        engine.dispose()

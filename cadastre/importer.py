"""Import cadastral parcel layers into a project: files → checked parcels + report → store.

Two steps, so that the user sees the report and a map before anything is written:

1. :func:`prepare_parcels` reads one or more files (several map sheets of one route may come
   together, even from neighbouring TM-3 zones) and runs the checks as a pipeline of named steps,
   each returning its part of the typed report (:class:`cadastre.import_report.ParcelImportReport`):
   layers with their CRS, text encoding and attribute mapping (:mod:`cadastre.source_layers`) →
   sheet/parcel numbers, former commune, land use, declared area (:mod:`cadastre.parcel_fields`) →
   geometry repair and duplicate keys (:mod:`cadastre.geometry`) → clip to the clearance boundary and
   ``area_to_recover_m2`` in EPSG:9215 → 2025 commune, chainage and ``parcel_id``
   (:mod:`cadastre.placement`). Nothing is written.
2. :func:`parcel_changes` says what a commit would do (parcels added, changed, removed; events
   that would lose their parcel: :mod:`cadastre.change_set`), and :func:`commit_parcels` writes the
   new ``parcels`` layer through ``store.submit_layers`` in one transaction, with the report and the
   change set — refusing removals whose exact count the user did not confirm (issue 10); the
   previous version stays restorable (``store.restore_layer``).

A saved attribute mapping applies only when the user picks its source profile
(``ImportOptions.profile``, :mod:`cadastre.profiles`).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from cadastre.attributes import legacy_mapping_note
from cadastre.change_set import ChangeSet, parcel_change_set
from cadastre.errors import CadastreImportError
from cadastre.former_communes import former_units
from cadastre.geometry import DEFAULT_SLIVER_M2, clip_to_boundary, find_duplicate_keys, repair_polygons
from cadastre.import_report import ImportCounts, OptionsUsed, ParcelImportReport, Rejection, Sliver
from cadastre.parcel_fields import (
    Refused,
    parse_keys,
    read_declared_areas,
    read_land_use,
    resolve_communes,
    split_off,
)
from cadastre.placement import attach_chainage, attach_commune_2025, parcel_ids
from cadastre.profiles import load_profile
from cadastre.report import stored_report
from cadastre.source_layers import LoadedLayer, load_layer, read_layers
from domain.crs import STORE_EPSG
from domain.progress import IMPORT_PARCELS_STEPS, Progress, step
from domain.tables import PARCEL_COLUMNS as STORE_PARCEL_COLUMNS
from gis.crs import tm3_epsg_for_province
from vocab.format import fmt_m2

__all__ = [
    "PARCEL_COLUMNS",
    "CadastreImportError",
    "ImportOptions",
    "ParcelImportReport",
    "PreparedImport",
    "RemovalNotConfirmedError",
    "check_removal_confirmed",
    "commit_parcels",
    "parcel_changes",
    "prepare_parcels",
]

log = logging.getLogger(__name__)

#: Columns of the parcels layer (``domain.tables.PARCEL_COLUMNS``) plus the ones this importer adds.
PARCEL_COLUMNS = (*STORE_PARCEL_COLUMNS, "declared_area_m2", "source_file")
_KEY_COLUMNS = ["commune_former", "map_sheet", "parcel_number"]
#: Which existing parcels an import replaces (:func:`commit_parcels`).
SCOPES = ("communes", "project")


@dataclass
class ImportOptions:
    """What the user told the importer.

    Attributes
    ----------
    project_id : str
        Project the parcels belong to (must exist in the store).
    crs : int or None
        EPSG chosen by the user (``--crs``, UI select) for files without a CRS; it also overrides a
        file's CRS, with a warning.
    commune_former : str or None
        Former (pre-2025) commune of every parcel when the file has no commune column
        (``"Xã Hợp Thành"``, ``"Hợp Thành"`` or its code ``"06226"``).
    map_sheet : int or None
        Sheet number when the file has none (typical for one DGN per sheet).
    sliver_m2 : float
        Parts inside the boundary smaller than this (m²) are reported and ignored.
    mapping : dict
        User corrections: source column → canonical field (``""`` = ignore); win over the profile and aliases.
    profile : str or None
        Source profile picked by the user (:mod:`cadastre.profiles`); None applies no saved mapping.
    default_epsg : int or None
        TM-3 zone of the project's province (default: from the project's ``province``, else EPSG:9215).
    """

    project_id: str
    crs: int | None = None
    commune_former: str | None = None
    map_sheet: int | None = None
    sliver_m2: float = DEFAULT_SLIVER_M2
    mapping: dict = field(default_factory=dict)
    default_epsg: int | None = None
    profile: str | None = None


@dataclass
class PreparedImport:
    """Result of :func:`prepare_parcels`: nothing written yet.

    Attributes
    ----------
    parcels : GeoDataFrame
        EPSG:9215, columns :data:`PARCEL_COLUMNS`; the parcels that will be imported.
    rejected : GeoDataFrame
        EPSG:9215 (geometry may be empty): ``row``, ``reason`` — shown on the preview map.
    report : ParcelImportReport
        The typed import report; ``report.to_dict()`` is its JSON form (CLI ``--json``, dashboard, store).
    """

    parcels: gpd.GeoDataFrame
    rejected: gpd.GeoDataFrame
    report: ParcelImportReport


# ------------------------------------------------------------------------------------ prepare
def prepare_parcels(paths, store, options: ImportOptions, *, display_names=None,
                    progress: Progress | None = None) -> PreparedImport:
    """Read, check and clip parcel files for one project; nothing is written.

    Parameters
    ----------
    paths : list of str or Path
        One or more files (any supported format; several sheets/zones allowed).
    store : Store
        Gives ``projects()`` (clearance boundary), ``centrelines()``, ``communes()``.
    options : ImportOptions
    display_names : list of str, optional
        Names shown in the report (upload names), one per path.
    progress : domain.progress.Progress, optional
        Hears the steps ``read`` and ``check`` of :data:`domain.progress.IMPORT_PARCELS_STEPS`.

    Returns
    -------
    PreparedImport
        ``parcels`` in EPSG:9215 with :data:`PARCEL_COLUMNS`: ``parcel_area_m2`` from the geometry,
        ``area_to_recover_m2`` = area inside the clearance boundary (m², EPSG:9215),
        ``chainage_m`` of the parcel's representative point on the centreline (road projects, else NaN).

    Raises
    ------
    CadastreImportError
        Unknown project, unreadable file, CRS that needs the user's choice, no parcels left
        (Vietnamese messages naming file, row and column).
    """
    paths = [Path(p) for p in paths]
    project = _project_row(store, options.project_id)
    default_epsg = options.default_epsg or _default_epsg(project)
    step(progress, IMPORT_PARCELS_STEPS, "read")
    raw_layers = read_layers(paths, display_names=display_names)
    report = ParcelImportReport(project_id=options.project_id, options=_options_used(options, default_epsg),
                                file_sha256=_file_sha256(paths))
    saved_mapping, report.profile = load_profile(store, options.profile)
    legacy = legacy_mapping_note()
    if legacy:
        report.warnings.append(legacy)
    layers = [load_layer(raw, user_epsg=options.crs, default_epsg=default_epsg, user_mapping=options.mapping,
                         saved_mapping=saved_mapping) for raw in raw_layers]
    parcels = _collect_layers(layers, report)
    rows_read = len(parcels)

    step(progress, IMPORT_PARCELS_STEPS, "check")
    keys = parse_keys(parcels, map_sheet=options.map_sheet)
    communes = resolve_communes(keys.parcels, commune_former=options.commune_former, units=former_units())
    refused = keys.refused + communes.refused
    report.warnings += keys.warnings + communes.warnings
    parcels, report.land_use = read_land_use(communes.parcels)
    parcels, warnings = read_declared_areas(parcels)
    report.warnings += warnings

    parcels, report.repairs, bad_geometry = _repair_geometry(parcels)
    refused += bad_geometry
    parcels, report.duplicates, duplicated = _refuse_duplicate_keys(parcels)
    refused += duplicated
    parcels = _clip_to_boundary(parcels, _boundary(project), options.sliver_m2, report)

    parcels = _place(parcels, store, options.project_id, str(project.get("kind", "")))
    return _finish(parcels, refused, rows_read, report)


def _options_used(options: ImportOptions, default_epsg: int) -> OptionsUsed:
    return OptionsUsed(crs=options.crs, commune_former=options.commune_former, map_sheet=options.map_sheet,
                       sliver_m2=options.sliver_m2, default_epsg=default_epsg)


def _file_sha256(paths) -> str:
    digest = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _project_row(store, project_id: str) -> pd.Series:
    projects = store.projects()
    hit = projects[projects["project_id"] == project_id]
    if hit.empty:
        known = ", ".join(projects["project_id"].astype(str))
        raise CadastreImportError(f"Không có dự án {project_id!r}. Các dự án: {known}.")
    return hit.iloc[0]


def _default_epsg(project_row) -> int:
    """TM-3 zone of the project's province (cadastral sheets keep their pre-2025 province's zone), else 9215."""
    province = project_row.get("province") if hasattr(project_row, "get") else None
    if isinstance(province, str) and province.strip():
        try:
            return tm3_epsg_for_province(province)
        except ValueError:
            pass
    return STORE_EPSG


def _collect_layers(layers: list[LoadedLayer], report: ParcelImportReport) -> gpd.GeoDataFrame:
    """All layers as one frame (EPSG:9215); their report parts go to ``report`` in file order."""
    for layer in layers:
        report.files.append(layer.file)
        report.crs.append(layer.crs)
        report.encodings += layer.encodings
        report.warnings += layer.warnings
        report.mapping[layer.key] = layer.mapping
        report.source_columns[layer.key] = layer.source_columns
        if layer.cad is not None:
            report.cad.append(layer.cad)
    return gpd.GeoDataFrame(pd.concat([layer.frame for layer in layers], ignore_index=True), geometry="geometry",
                            crs=STORE_EPSG)


def _repair_geometry(parcels: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[dict], list[Refused]]:
    """Invalid polygons repaired (``make_valid``); empty or non-polygon geometry refused."""
    kept, repairs, rejects = repair_polygons(parcels, parcels["_row"].tolist())
    return kept, repairs, [Refused(r["row"], r["reason"], None) for r in rejects]


def _refuse_duplicate_keys(parcels: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[dict], list[Refused]]:
    """Every copy of a key (former commune, sheet, parcel number) held twice is refused: nothing is merged."""
    parcels = parcels.assign(map_sheet=parcels["map_sheet"].astype(int),
                             parcel_number=parcels["parcel_number"].astype(str).astype(object))
    duplicates = find_duplicate_keys(parcels)
    if not duplicates:
        return parcels, duplicates, []
    duplicated = parcels.duplicated(_KEY_COLUMNS, keep=False)
    reasons = pd.Series(None, index=parcels.index, dtype=object)
    reasons[duplicated] = [f"Trùng khóa xã {c} – tờ {s} – thửa {n} với thửa khác (không gộp; hãy sửa tệp gốc)."
                           for c, s, n in parcels.loc[duplicated, _KEY_COLUMNS].itertuples(index=False)]
    kept, refused = split_off(parcels, reasons)
    return kept, duplicates, refused


def _boundary(project: pd.Series):
    geometry = project.geometry
    return geometry if geometry is not None and not geometry.is_empty else None


def _clip_to_boundary(parcels: gpd.GeoDataFrame, boundary, sliver_m2: float,
                      report: ParcelImportReport) -> gpd.GeoDataFrame:
    """``area_to_recover_m2`` (m², 0,01) inside the clearance boundary; slivers and outside parcels dropped.

    Without a boundary every parcel is recovered whole (warned).
    """
    if boundary is None:
        report.warnings.append("Dự án chưa có chỉ giới GPMB: diện tích thu hồi = cả thửa.")
    area, is_sliver, is_outside = clip_to_boundary(parcels, boundary, sliver_m2=sliver_m2)
    report.slivers = [Sliver(label, round(float(a), 3))
                      for label, a in zip(parcels["_row"][is_sliver.to_numpy()], area[is_sliver.to_numpy()])]
    report.outside_boundary = parcels["_row"][is_outside.to_numpy()].tolist()
    parcels = parcels.assign(area_to_recover_m2=area.round(2))
    return parcels[~(is_sliver | is_outside).to_numpy()]


def _place(parcels: gpd.GeoDataFrame, store, project_id: str, kind: str) -> gpd.GeoDataFrame:
    """2025 commune, chainage, ``parcel_id`` and ``parcel_area_m2``: the columns :data:`PARCEL_COLUMNS`."""
    parcels = attach_commune_2025(parcels, store)
    parcels = attach_chainage(parcels, store, project_id, kind)
    parcels = parcels.assign(project_id=project_id, parcel_id=parcel_ids(parcels, project_id),
                             parcel_area_m2=parcels.geometry.area.round(2), illustrative=False)
    for col in PARCEL_COLUMNS:
        if col not in parcels:
            parcels[col] = None
    out = gpd.GeoDataFrame(parcels[list(PARCEL_COLUMNS)], geometry=parcels.geometry.values, crs=STORE_EPSG)
    return out.reset_index(drop=True)


def _finish(parcels: gpd.GeoDataFrame, refused: list[Refused], rows_read: int,
            report: ParcelImportReport) -> PreparedImport:
    """The rejected rows as a layer, the counts, and the warning when nothing is left."""
    rejected = gpd.GeoDataFrame({"row": [r.row for r in refused], "reason": [r.reason for r in refused]},
                                geometry=[r.geometry for r in refused], crs=STORE_EPSG)
    report.rejected = [Rejection(r.row, r.reason) for r in refused]
    report.counts = ImportCounts(
        read=rows_read, imported=len(parcels), repaired=len(report.repairs),
        duplicates=int(sum(len(d["rows"]) for d in report.duplicates)), rejected=len(refused),
        slivers=len(report.slivers), outside_boundary=len(report.outside_boundary),
        area_to_recover_m2=round(float(parcels["area_to_recover_m2"].sum()), 2),
    )
    if parcels.empty:
        report.warnings.append("Không còn thửa nào để nhập sau khi kiểm tra.")
    return PreparedImport(parcels=parcels, rejected=rejected, report=report)


# ------------------------------------------------------------------------------------- commit
class RemovalNotConfirmedError(CadastreImportError):
    """The import removes parcels and the user did not confirm their exact count (nothing written).

    Attributes
    ----------
    change_set : ChangeSet
        What the import would do (the removed parcels, their area, the orphaned events).
    """

    def __init__(self, message_vi: str, change_set: ChangeSet) -> None:
        super().__init__(message_vi)
        self.change_set = change_set


def parcel_changes(store, prepared: PreparedImport, scope: str = "communes",
                   progress: Progress | None = None) -> ChangeSet:
    """What :func:`commit_parcels` with ``scope`` would change in the project's parcels; nothing written.

    Returns
    -------
    ChangeSet
        Parcels of the project added, changed (which fields), removed (``parcel_id``,
        ``area_to_recover_m2`` in m²) and the ledger events that would lose their parcel
        (:func:`cadastre.change_set.parcel_change_set`). Shown by ``import-parcels --dry-run`` and
        the import page before the user confirms. ``progress`` hears the step ``change_set``.

    Raises
    ------
    CadastreImportError
        ``scope`` is unknown.
    """
    _check_scope(scope)
    step(progress, IMPORT_PARCELS_STEPS, "change_set")
    current = store.parcels()
    combined, _ = _replace_in_layer(current, prepared, scope)
    return _project_changes(current, combined, prepared.report.project_id, store.events())


def _project_changes(current, combined, project_id: str, events) -> ChangeSet:
    before = current[current["project_id"] == project_id]
    after = combined[combined["project_id"] == project_id]
    return parcel_change_set(before, after, events)


def _check_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise CadastreImportError(f"Phạm vi thay thế không hợp lệ: {scope!r} ({' | '.join(SCOPES)}).")


def check_removal_confirmed(changes: ChangeSet, confirm_removed: int) -> None:
    """Refuse unless ``confirm_removed`` is exactly the number of parcels ``changes`` removes.

    Raises
    ------
    RemovalNotConfirmedError
        With a Vietnamese message naming the count, the area (m²) and the orphaned events.
    """
    removed = changes.removed_count
    if removed == int(confirm_removed):
        return
    counts = changes.counts()
    if removed and not confirm_removed:
        message = (f"Lần nhập này xóa {removed} thửa đang có của dự án (diện tích thu hồi "
                   f"{fmt_m2(counts['removed_area_m2'], 1)}; {counts['orphaned_events']} sự kiện trong sổ sẽ "
                   f"mất thửa, vẫn được giữ): chưa ghi gì. Muốn xóa, hãy xác nhận đúng số {removed} "
                   f"(dòng lệnh: --allow-remove {removed}).")
    else:
        message = (f"Số thửa xác nhận xóa ({int(confirm_removed)}) khác số thửa lần nhập này xóa ({removed}); "
                   "chưa ghi gì. Hãy xem lại danh sách thay đổi rồi xác nhận đúng số.")
    raise RemovalNotConfirmedError(message, changes)


def commit_parcels(store, prepared: PreparedImport, *, actor, scope: str = "communes", confirm_removed: int = 0,
                   client_address: str | None = None, progress: Progress | None = None):
    """Write the prepared parcels as a new version of the ``parcels`` layer (one transaction), or
    propose it when it removes parcels and maker–checker is on.

    Nothing is removed silently (issue 10): the change set (:func:`parcel_changes`) is computed
    first, and an import that removes parcels is refused unless ``confirm_removed`` names their exact
    count; the store checks the same count again inside its write transaction
    (``confirmed_removals``), so a layer changed between preview and commit is refused too. Events
    of removed parcels stay in the ledger (reported as ``orphaned_events``).

    Parameters
    ----------
    store : Store
        ``data_version()``, ``parcels()``, ``events()`` and ``submit_layers(…)``. The parcels version
        read before the layer is passed as ``expected_versions``: if someone else replaced the parcels
        meanwhile, nothing is written and :class:`CadastreImportError` says so.
    prepared : PreparedImport
    actor : Account
        Who imports (role ``import_cadastre``: admin); the store checks it and writes the audit row
        (``layer_replaced`` with added/removed parcels) in the same transaction.
    scope : {"communes", "project"}
        Which existing parcels the import replaces: those of the project in the former communes present
        in the import (default: importing one commune's sheets keeps the others), or all of the project's.
        Parcels of the scope missing from the import are removed — hence the confirmation.
    confirm_removed : int
        The number of parcels the user confirmed to remove (0: none may be removed).
    client_address : str, optional
        Browser address or ``cli:user@host``, for the audit.
    progress : domain.progress.Progress, optional
        Hears the step ``commit`` of :data:`domain.progress.IMPORT_PARCELS_STEPS`.

    Returns
    -------
    store.proposals.Outcome
        ``executed=True, result=<new parcels version>`` (the previous one stays restorable with
        ``store.restore_layer``), or ``executed=False, proposal_id=…`` when the replacement removes
        parcels and waits for a second account (``store.confirm_proposal``).

    Raises
    ------
    RemovalNotConfirmedError
        The import removes parcels and ``confirm_removed`` is not their exact count (nothing written).
    CadastreImportError
        If there is nothing to import, ``scope`` is unknown, the store refuses the layer or the
        parcels changed since they were read (nothing written).
    domain.roles.PermissionDeniedError
        ``actor`` may not import parcels (nothing written).
    """
    if prepared.parcels.empty:
        raise CadastreImportError("Không có thửa nào để ghi; không thay đổi dữ liệu.")
    _check_scope(scope)
    step(progress, IMPORT_PARCELS_STEPS, "commit")
    seen_version = int(store.data_version().get("layers", {}).get("parcels", 0))  # before reading the layer
    current = store.parcels()
    combined, replaced = _replace_in_layer(current, prepared, scope)
    changes = _project_changes(current, combined, prepared.report.project_id, store.events())
    check_removal_confirmed(changes, confirm_removed)
    report = {**prepared.report.to_dict(), "replaced": replaced, "change_set": changes.to_dict()}
    return _write_parcels(store, combined, report, seen_version, actor, client_address, int(confirm_removed))


def _replace_in_layer(current: gpd.GeoDataFrame, prepared: PreparedImport,
                      scope: str) -> tuple[gpd.GeoDataFrame, dict]:
    """The parcels layer with the project's parcels in ``scope`` replaced by the prepared ones (EPSG:9215)."""
    drop = current["project_id"] == prepared.report.project_id
    if scope == "communes" and "commune_former" in current:
        drop &= current["commune_former"].isin(prepared.parcels["commune_former"].unique())
    kept = current[~drop]
    if kept.crs is not None and kept.crs.to_epsg() != STORE_EPSG:
        kept = kept.to_crs(STORE_EPSG)
    combined = gpd.GeoDataFrame(pd.concat([kept, prepared.parcels], ignore_index=True), geometry="geometry",
                                crs=STORE_EPSG)
    return combined, {"scope": scope, "removed": int(drop.sum()), "kept": len(kept), "added": len(prepared.parcels)}


def _write_parcels(store, combined: gpd.GeoDataFrame, report: dict, seen_version: int, actor, client_address,
                   confirm_removed: int):
    """One ``submit_layers`` transaction; any refusal becomes a :class:`CadastreImportError` (nothing written)."""
    from sqlalchemy.exc import SQLAlchemyError

    from store import StoreError
    from store.proposals import Outcome

    try:
        outcome = store.submit_layers({"parcels": combined}, actor=actor, report=stored_report(report),
                                      expected_versions={"parcels": seen_version}, client_address=client_address,
                                      confirmed_removals={"parcels": confirm_removed})
        return Outcome(True, None, outcome.result["parcels"]) if outcome.executed else outcome
    except StoreError as exc:  # refused columns/dates, or another user replaced the parcels meanwhile
        raise CadastreImportError(str(exc)) from exc
    except SQLAlchemyError as exc:  # rolled back: nothing written
        log.info("replace_layers failed", exc_info=True)
        raise CadastreImportError(f"Không ghi được vào kho dữ liệu (lỗi cơ sở dữ liệu: {type(exc.orig or exc).__name__}); "
                                  "kho dữ liệu không thay đổi (lớp thửa đất giữ phiên bản cũ).") from exc

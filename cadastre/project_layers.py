"""Clearance boundaries (chỉ giới GPMB), alignments (tim tuyến) and new projects from the designer's files.

* :func:`read_boundary` → one MultiPolygon in EPSG:9215 (polygons unioned; closed lines, as CAD
  files draw them, are polygonised).
* :func:`read_alignment` → one LineString in EPSG:9215 (pieces merged end to end).
* :func:`update_boundary`, :func:`update_alignment`, :func:`add_project` write through
  ``store.replace_layers``: every layer one action changes is written in ONE transaction (all or
  nothing, issue 5), and the previous versions stay restorable. A new boundary changes every
  parcel's area to recover, so :func:`update_boundary` recomputes ``area_to_recover_m2`` of the
  project's parcels and writes ``projects`` and ``parcels`` together; :func:`add_project` writes
  ``projects`` and ``centrelines`` together.
* Each action reads the layers it changes and writes them back; the versions it read are passed
  as ``expected_versions``, so a concurrent change by someone else is refused (nothing written,
  :class:`CadastreImportError`) instead of silently overwritten.

CRS are decided exactly as for parcels (:func:`cadastre.source_layers.decide_layer_crs`).
"""
from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiPolygon
from shapely.ops import linemerge

from cadastre.change_set import ChangeSet, feature_change_set, parcel_change_set
from cadastre.errors import CadastreImportError
from cadastre.geometry import clip_to_boundary
from cadastre.source_layers import layer_in_store_crs, read_layers
from domain.crs import STORE_EPSG
from domain.tables import REGISTER_ONLY
from gis.crs import LANG_SON_EPSG, tm3_epsg_for_province

PROJECT_KINDS = ("road", "area", "sites")

log = logging.getLogger(__name__)


def _layers_in_store_crs(paths, *, user_epsg, default_epsg, report):
    out = []
    for raw in read_layers(paths):
        gdf = layer_in_store_crs(raw, user_epsg=user_epsg, default_epsg=default_epsg, report=report)
        out.append((raw, gpd.GeoDataFrame(geometry=gdf.geometry.values, crs=STORE_EPSG)))
    return out


def read_boundary(paths, *, user_epsg: int | None = None, default_epsg: int = LANG_SON_EPSG):
    """Read a clearance boundary file into one MultiPolygon (EPSG:9215).

    Parameters
    ----------
    paths : list of path
        Files in any supported format; polygons, or closed lines (CAD) that are polygonised.
    user_epsg, default_epsg : int
        As for parcels (``--crs``; the project's province zone).

    Returns
    -------
    (MultiPolygon, dict)
        The boundary (invalid rings repaired with ``make_valid``) and a report: ``crs``, ``warnings``,
        ``parts``, ``area_m2``, ``repaired``.

    Raises
    ------
    CadastreImportError
        No polygon could be made, or the CRS needs the user.
    """
    report = {"crs": [], "warnings": [], "repaired": False}
    polys = []
    for raw, gdf in _layers_in_store_crs(paths, user_epsg=user_epsg, default_epsg=default_epsg, report=report):
        geoms = shapely.force_2d(gdf.geometry.values)
        kinds = shapely.get_type_id(geoms)
        polys += [g for g, k in zip(geoms, kinds) if k in (3, 6)]
        lines = [g for g, k in zip(geoms, kinds) if k in (1, 2, 5)]
        if lines:
            built = shapely.get_parts(shapely.polygonize([shapely.union_all(lines)]))
            polys += list(built)
            if not len(built):
                report["warnings"].append(f"{raw.file}: có {len(lines)} đường nhưng không khép thành vùng nào.")
    if not polys:
        raise CadastreImportError("Tệp chỉ giới không có vùng (polygon) nào, cũng không có đường khép kín.")
    if not all(p.is_valid for p in polys):
        report["repaired"] = True
        polys = [shapely.make_valid(p) for p in polys]
    merged = shapely.union_all(polys)
    parts = [p for p in shapely.get_parts(merged) if p.geom_type == "Polygon" and p.area > 0]
    boundary = MultiPolygon(parts)
    report.update(parts=len(parts), area_m2=round(boundary.area, 2))
    return boundary, report


def read_alignment(paths, *, user_epsg: int | None = None, default_epsg: int = LANG_SON_EPSG, reverse: bool = False):
    """Read a route centreline (tim tuyến) into one LineString (EPSG:9215) in increasing chainage.

    Parameters
    ----------
    reverse : bool
        Reverse the drawn direction (when the designer drew the line from the end of the route).

    Returns
    -------
    (LineString, dict)
        The centreline and a report (``crs``, ``warnings``, ``pieces``, ``length_m``).

    Raises
    ------
    CadastreImportError
        No line, or pieces that do not join into one line (gaps): the message gives how many remain.
    """
    report = {"crs": [], "warnings": []}
    lines = []
    for _raw, gdf in _layers_in_store_crs(paths, user_epsg=user_epsg, default_epsg=default_epsg, report=report):
        for g in shapely.force_2d(gdf.geometry.values):
            if g is None or g.is_empty:
                continue
            if g.geom_type in ("LineString", "MultiLineString"):
                lines += list(shapely.get_parts(g))
    if not lines:
        raise CadastreImportError("Tệp tim tuyến không có đường (line) nào.")
    merged = linemerge(lines) if len(lines) > 1 else lines[0]
    if merged.geom_type != "LineString":
        parts = list(shapely.get_parts(merged))
        raise CadastreImportError(f"Tim tuyến gồm {len(parts)} đoạn không nối liền nhau (có chỗ hở); cần một đường liên tục.")
    if reverse:
        merged = LineString(list(merged.coords)[::-1])
    report.update(pieces=len(lines), length_m=round(merged.length, 2))
    return merged, report


def _project_epsg(province: str | None) -> int:
    if province:
        try:
            return tm3_epsg_for_province(province)
        except ValueError:
            pass
    return LANG_SON_EPSG


def recompute_area_to_recover(parcels: gpd.GeoDataFrame, project_id: str, boundary, sliver_m2: float) -> gpd.GeoDataFrame:
    """The parcels layer with ``area_to_recover_m2`` of ``project_id``'s parcels recomputed for ``boundary``.

    Parcels that fall outside the new boundary (or become slivers) keep their row with 0 m², so
    their history in the ledger stays attached; the report counts them.
    """
    out = parcels.copy()
    mask = (out["project_id"] == project_id).to_numpy()
    if mask.any():
        sub = out[mask]
        area, is_sliver, _ = clip_to_boundary(sub, boundary, sliver_m2=sliver_m2)
        area = area.where(~is_sliver, 0.0)
        out.loc[mask, "area_to_recover_m2"] = area.round(2).to_numpy()
    return out


def _read_versions(store) -> dict:
    """Current layer versions, read BEFORE the layers themselves (see the module notes)."""
    return dict(store.data_version().get("layers", {}))


def _write(store, layers: dict, versions: dict, *, actor, report: dict, reports: dict | None = None,
           client_address: str | None = None) -> dict:
    """``store.replace_layers`` by ``actor`` with the versions read, in one transaction (the store checks
    the role, ``import_cadastre``, and writes the audit row in that transaction).

    Store refusals and database failures become :class:`CadastreImportError` (Vietnamese; the
    transaction was rolled back, so nothing was written).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from store import StoreError

    try:
        return store.replace_layers(layers, actor=actor, report=report, reports=reports,
                                    expected_versions={name: versions.get(name, 0) for name in layers},
                                    client_address=client_address)
    except StoreError as exc:
        raise CadastreImportError(str(exc)) from exc
    except SQLAlchemyError as exc:
        log.info("replace_layers failed", exc_info=True)  # detail for configured logs; the user gets the message
        raise CadastreImportError(
            f"Không ghi được vào kho dữ liệu (lỗi cơ sở dữ liệu: {type(exc.orig or exc).__name__}); "
            f"kho dữ liệu không thay đổi (các lớp {', '.join(layers)} giữ phiên bản cũ).") from exc


def _files_of(report: dict) -> str:
    return ", ".join(sorted({c["file"] for c in report.get("crs", [])}))


def update_boundary(store, project_id: str, boundary: MultiPolygon, report: dict, *, actor, sliver_m2: float = 1.0,
                    client_address: str | None = None) -> dict:
    """Make ``boundary`` the project's clearance boundary and recompute its parcels' area to recover.

    ``projects`` and (when the project has parcels) ``parcels`` are written in one transaction: a
    failure leaves both as they were.

    Parameters
    ----------
    store : Store
    project_id : str
        An existing project.
    boundary : MultiPolygon
        The clearance boundary in EPSG:9215 (from :func:`read_boundary`).
    report : dict
        The import report, kept with the ``projects`` version.
    sliver_m2 : float
        Parcel parts inside the boundary smaller than this (m²) count as 0 m² to recover.
    actor : Account
        Who imports (role ``import_cadastre``: admin), checked by the store and recorded in the audit.
    client_address : str, optional
        Browser address or ``cli:user@host``, for the audit.

    Returns
    -------
    dict
        ``projects_version``, ``parcels_version`` (or None if the project has no parcels),
        ``parcels_zeroed`` (parcels now outside the boundary).

    Raises
    ------
    CadastreImportError
        Unknown project; the store refused the layers or another user changed them meanwhile
        (nothing written).
    """
    versions = _read_versions(store)
    layers, reports, zeroed = _boundary_layers(store, project_id, boundary, report, sliver_m2)
    written = _write(store, layers, versions, actor=actor, report=report, reports=reports,
                     client_address=client_address)
    return {"projects_version": written["projects"], "parcels_version": written.get("parcels"),
            "parcels_zeroed": zeroed}


def _boundary_layers(store, project_id: str, boundary: MultiPolygon, report: dict,
                     sliver_m2: float) -> tuple[dict, dict, int]:
    """The layers a new boundary writes (``projects``, and ``parcels`` with the area to recover
    recomputed when the project has parcels), their per-layer reports and the parcels now at 0 m².

    Raises
    ------
    CadastreImportError
        Unknown project.
    """
    projects = store.projects()
    mask = projects["project_id"] == project_id
    if not mask.any():
        raise CadastreImportError(f"Không có dự án {project_id!r}; dùng add-project để tạo dự án mới.")
    projects = projects.copy()
    geoms = list(projects.geometry.values)
    geoms[int(np.flatnonzero(mask.to_numpy())[0])] = boundary
    projects = projects.set_geometry(gpd.GeoSeries(geoms, index=projects.index, crs=projects.crs))
    if "geometry_status" in projects:
        projects.loc[mask, "geometry_status"] = "surveyed"
    if "geometry_note" in projects:
        projects.loc[mask, "geometry_note"] = f"Chỉ giới nhập từ {_files_of(report)}"
    layers, reports, zeroed = {"projects": projects}, {}, 0
    parcels = store.parcels()
    if (parcels["project_id"] == project_id).any():
        new = recompute_area_to_recover(parcels, project_id, boundary, sliver_m2)
        zeroed = int(((new["project_id"] == project_id) & (new["area_to_recover_m2"] <= 0)).sum())
        layers["parcels"] = new
        reports["parcels"] = {"reason": f"Tính lại diện tích thu hồi theo chỉ giới mới của {project_id}",
                              "parcels_zeroed": zeroed}
    return layers, reports, zeroed


def boundary_changes(store, project_id: str, boundary: MultiPolygon, report: dict | None = None,
                     sliver_m2: float = 1.0) -> dict[str, ChangeSet]:
    """What :func:`update_boundary` would change; nothing written.

    Returns
    -------
    dict
        ``projects``: the project's boundary (``area_m2`` in m², geometry changed or not);
        ``parcels`` (when the project has parcels): parcels whose ``area_to_recover_m2`` changes.
        A new boundary never removes parcels (those outside keep their row at 0 m²).
    """
    layers, _, _ = _boundary_layers(store, project_id, boundary, report or {}, sliver_m2)
    out = {"projects": _project_rows_changes("projects", store.projects(), layers["projects"], project_id)}
    if "parcels" in layers:
        current = store.parcels()
        out["parcels"] = parcel_change_set(current[current["project_id"] == project_id],
                                           layers["parcels"][layers["parcels"]["project_id"] == project_id])
    return out


def alignment_changes(store, project_id: str, line: LineString, report: dict | None = None,
                      chainage_start_m: float | None = None) -> dict[str, ChangeSet]:
    """What :func:`update_alignment` would change (``centrelines``: length in m); nothing written."""
    new = _centrelines_with(store.centrelines(), project_id, line, report or {}, chainage_start_m)
    return {"centrelines": _project_rows_changes("centrelines", store.centrelines(), new, project_id)}


def _project_rows_changes(layer: str, current, new, project_id: str) -> ChangeSet:
    return feature_change_set(layer, current[current["project_id"] == project_id],
                              new[new["project_id"] == project_id], key="project_id",
                              attributes=("chainage_start_m",) if layer == "centrelines" else ())


def _centrelines_with(lines: gpd.GeoDataFrame, project_id: str, line: LineString, report: dict,
                      chainage_start_m: float | None) -> gpd.GeoDataFrame:
    """The centrelines layer with ``project_id``'s line replaced by (or extended with) ``line``."""
    previous = lines[lines["project_id"] == project_id]
    start = chainage_start_m if chainage_start_m is not None else (
        float(previous.iloc[0]["chainage_start_m"]) if len(previous) else 0.0)
    row = {"project_id": project_id, "chainage_start_m": start, "geometry_status": "surveyed",
           "geometry_note": "Tim tuyến nhập từ " + _files_of(report)}
    kept = lines[lines["project_id"] != project_id]
    if kept.crs is not None and kept.crs.to_epsg() != STORE_EPSG:
        kept = kept.to_crs(STORE_EPSG)
    new = pd.concat([kept, gpd.GeoDataFrame([row], geometry=[line], crs=STORE_EPSG)], ignore_index=True)
    return gpd.GeoDataFrame(new, geometry="geometry", crs=STORE_EPSG)


def update_alignment(store, project_id: str, line: LineString, report: dict, *, actor,
                     chainage_start_m: float | None = None, client_address: str | None = None) -> int:
    """Make ``line`` the project's centreline (replacing any earlier one). Returns the layer version.

    Parameters
    ----------
    line : LineString
        EPSG:9215, drawn in increasing chainage (from :func:`read_alignment`).
    chainage_start_m : float, optional
        Chainage (m) of the first vertex; None keeps the previous line's, or 0.0.
    actor : Account
        Who imports (role ``import_cadastre``: admin), checked by the store and recorded in the audit.
    client_address : str, optional
        Browser address or ``cli:user@host``, for the audit.

    Raises
    ------
    CadastreImportError
        Unknown project; the store refused the layer or another user changed it meanwhile.
    domain.roles.PermissionDeniedError
        ``actor`` may not import layers (nothing written).
    """
    versions = _read_versions(store)
    projects = store.projects()
    if not (projects["project_id"] == project_id).any():
        raise CadastreImportError(f"Không có dự án {project_id!r}; dùng add-project để tạo dự án mới.")
    new = _centrelines_with(store.centrelines(), project_id, line, report, chainage_start_m)
    return _write(store, {"centrelines": new}, versions, actor=actor, report=report,
                  client_address=client_address)["centrelines"]


def add_project(store, *, project_id: str, name: str, kind: str, province: str, boundary: MultiPolygon | None,
                report: dict, alignment: LineString | None = None, chainage_start_m: float = 0.0,
                short_name: str | None = None, start_date=None, actor, client_address: str | None = None) -> dict:
    """Create a project from its clearance boundary (and, for a road, its centreline), or known only by its
    register (no boundary yet).

    ``projects`` and (with an alignment) ``centrelines`` are written in one transaction: a failure
    leaves neither a project without its centreline nor a centreline without its project.

    Parameters
    ----------
    boundary : MultiPolygon or None
        Clearance boundary, EPSG:9215. None: a project known only by its register (issue 12): its row has a
        NULL geometry and ``geometry_status`` ``register_only`` until ``import-boundary`` gives it one;
        its households come from ``import-register``, its parcels from ``import-parcels`` later.
    alignment : LineString, optional
        Centreline, EPSG:9215, in increasing chainage; ``section_from_m``/``section_to_m`` become
        ``chainage_start_m`` and ``chainage_start_m`` + its length (m).
    start_date : datetime.date, optional
        Planned start of clearance.
    actor : Account
        Who imports (role ``import_cadastre``: admin), checked by the store and recorded in the audit.
    client_address : str, optional
        Browser address or ``cli:user@host``, for the audit.

    Returns
    -------
    dict
        ``projects_version`` and ``centrelines_version`` (None without an alignment).

    Raises
    ------
    CadastreImportError
        The id exists already, the kind is unknown, the id has characters that break a parcel id,
        or the store refused the layers (nothing written).
    """
    import re

    if not re.fullmatch(r"[A-Za-z0-9_\-]{2,40}", project_id):
        raise CadastreImportError(f"Mã dự án {project_id!r} không hợp lệ: chỉ chữ không dấu, số, '_' hoặc '-' (2–40 ký tự).")
    if kind not in PROJECT_KINDS:
        raise CadastreImportError(f"Loại dự án {kind!r} không hợp lệ; dùng: {', '.join(PROJECT_KINDS)}.")
    versions = _read_versions(store)
    projects = store.projects()
    if (projects["project_id"] == project_id).any():
        raise CadastreImportError(f"Dự án {project_id!r} đã có; dùng import-boundary để thay chỉ giới.")
    section_to = float(chainage_start_m + alignment.length) if alignment is not None else float("nan")
    row = {"project_id": project_id, "name": name, "short_name": short_name or name, "kind": kind,
           "province": province, "start_date": start_date,
           "section_from_m": float(chainage_start_m) if alignment is not None else float("nan"),
           "section_to_m": section_to, "geometry_status": "surveyed" if boundary is not None else REGISTER_ONLY,
           "geometry_note": "Tạo từ tệp " + _files_of(report) if boundary is not None else
           "Chưa có chỉ giới: dự án lập từ sổ hộ dân"}
    if projects.crs is not None and projects.crs.to_epsg() != STORE_EPSG:
        projects = projects.to_crs(STORE_EPSG)
    new = pd.concat([projects, gpd.GeoDataFrame([row], geometry=[boundary], crs=STORE_EPSG)], ignore_index=True)
    layers = {"projects": gpd.GeoDataFrame(new, geometry="geometry", crs=STORE_EPSG)}
    if alignment is not None:
        layers["centrelines"] = _centrelines_with(store.centrelines(), project_id, alignment, report, chainage_start_m)
    written = _write(store, layers, versions, actor=actor, report=report, client_address=client_address)
    return {"projects_version": written["projects"], "centrelines_version": written.get("centrelines")}


def project_default_epsg(store, project_id: str | None, province: str | None = None) -> int:
    """TM-3 zone (EPSG) of the project's province, or of ``province``; EPSG:9215 if unknown."""
    if province:
        return _project_epsg(province)
    if project_id:
        projects = store.projects()
        hit = projects[projects["project_id"] == project_id]
        if len(hit) and "province" in hit:
            return _project_epsg(hit.iloc[0]["province"])
    return LANG_SON_EPSG

"""Import cadastral parcel layers into a project: files → checked parcels + report → store.

Two steps, so that the user sees the report and a map before anything is written:

1. :func:`prepare_parcels` reads one or more files (several map sheets of one route may come
   together, even from neighbouring TM-3 zones), decides each layer's CRS (:mod:`cadastre.crs_check`),
   converts legacy text encodings (:mod:`cadastre.encoding`), maps attributes
   (:mod:`cadastre.attributes`), builds polygons from CAD (:mod:`cadastre.cad`), repairs geometry,
   rejects duplicate keys, clips to the clearance boundary and computes ``area_to_recover_m2`` in
   EPSG:9215. Nothing is written.
2. :func:`commit_parcels` writes the new ``parcels`` layer through ``store.replace_layers`` in one
   transaction, with the report; the previous version stays restorable (``store.restore_layer``).

The report (a JSON-serialisable dict) gives the CRS detected and why, counts (read, imported,
repaired, duplicates, rejected with reasons, slivers, outside the boundary) and before/after samples of
every text column converted from a legacy encoding.
"""
from __future__ import annotations

import csv
import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from cadastre.attributes import (
    CANONICAL_FIELDS,
    load_saved_mapping,
    parse_area,
    parse_int_key,
    parse_land_use,
    suggest_mapping,
)
from cadastre.cad import polygons_from_cad
from cadastre.crs_check import (
    CrsDecision,
    CrsUndecided,
    classify_coordinates,
    decide_declared_crs,
    decide_undeclared_crs,
)
from cadastre.geometry import (
    DEFAULT_SLIVER_M2,
    clip_to_boundary,
    find_duplicate_keys,
    repair_polygons,
)
from cadastre.readers import RawLayer, ReadError, read_source
from domain.errors import GpmbError
from gis.crs import LANG_SON_EPSG, tm3_epsg_for_province
from parsing.legacy import ENCODING_LABELS_VI, convert_text_columns
from parsing.text import fold_vi

log = logging.getLogger(__name__)

STORE_EPSG = LANG_SON_EPSG
FORMER_UNITS_CSV = Path(__file__).resolve().parent.parent / "data" / "sources" / "former_units.csv"

#: Columns of the parcels layer (DATA_MODEL.md) plus the ones this importer adds.
PARCEL_COLUMNS = (
    "parcel_id", "project_id", "commune_code", "commune", "commune_former", "map_sheet", "parcel_number",
    "land_use", "owner_name", "household_id", "parcel_area_m2", "area_to_recover_m2", "chainage_m", "illustrative",
    "declared_area_m2", "source_file",
)


class CadastreImportError(GpmbError, ValueError):
    """The import cannot go on (Vietnamese message); nothing was written."""


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
        User corrections: source column → canonical field (``""`` = ignore); win over saved/aliases.
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


@dataclass
class PreparedImport:
    """Result of :func:`prepare_parcels`: nothing written yet.

    Attributes
    ----------
    parcels : GeoDataFrame
        EPSG:9215, columns :data:`PARCEL_COLUMNS`; the parcels that will be imported.
    rejected : GeoDataFrame
        EPSG:9215 (geometry may be empty): ``row``, ``reason`` — shown on the preview map.
    report : dict
        The import report (JSON-serialisable).
    """

    parcels: gpd.GeoDataFrame
    rejected: gpd.GeoDataFrame
    report: dict


# ------------------------------------------------------------------------------------------ CRS
def decide_layer_crs(raw: RawLayer, *, user_epsg: int | None, default_epsg: int) -> CrsDecision:
    """Decide the CRS of one raw layer (see :mod:`cadastre.crs_check`).

    Raises
    ------
    CrsUndecided
        If the CRS cannot be decided without the user (Vietnamese message naming the file).
    """
    geoms = raw.gdf.geometry
    bounds = geoms[~geoms.is_empty & geoms.notna()].total_bounds
    if np.isnan(bounds).any():
        raise CrsUndecided(f"{raw.file}: lớp {raw.layer} không có tọa độ nào.")
    info = classify_coordinates(bounds)
    declared = None
    if raw.crs_text:
        try:
            declared = decide_declared_crs(raw.crs_text)
        except CrsUndecided as exc:
            if user_epsg is None:
                raise CrsUndecided(f"{raw.file}: {exc}") from exc
    if declared is not None and raw.format in ("geojson", "qgis2web", "kml") and raw.crs_note.startswith(("GeoJSON không", "theo quy")):
        if info["kind"] != "degrees":  # "WGS 84 by spec" but the numbers are metres: the file lies
            declared = None
    if declared is not None:
        if declared.epsg in (4326, 4756) and info["kind"] != "degrees":
            raise CrsUndecided(f"{raw.file}: tệp khai báo {declared.name} (độ) nhưng tọa độ là mét; hãy kiểm tra tệp.")
        if user_epsg is not None and user_epsg != declared.epsg:
            from pyproj import CRS

            chosen = CRS.from_epsg(user_epsg)
            return CrsDecision(user_epsg, chosen.name, "user",
                               f"Người dùng chọn {chosen.name} (EPSG:{user_epsg}).",
                               [f"{raw.file}: tệp khai báo {declared.name} (EPSG:{declared.epsg}) nhưng đã dùng "
                                f"EPSG:{user_epsg} theo lựa chọn của người dùng."] + declared.warnings)
        return declared
    try:
        return decide_undeclared_crs(bounds, user_epsg=user_epsg, default_epsg=default_epsg)
    except CrsUndecided as exc:
        raise CrsUndecided(f"{raw.file}: {exc}") from exc


# ----------------------------------------------------------------------------------- communes
def _former_units() -> pd.DataFrame:
    if not FORMER_UNITS_CSV.exists():
        return pd.DataFrame(columns=["former_code", "former_unit", "former_district"])
    with FORMER_UNITS_CSV.open(encoding="utf-8-sig", newline="") as fh:
        return pd.DataFrame(list(csv.DictReader(fh)), dtype=str)


_UNIT_PREFIX = re.compile(r"^(xa|phuong|thi tran|tt|p)\s+")


def _fold_unit(name: str) -> str:
    return _UNIT_PREFIX.sub("", fold_vi(re.sub(r"\(.*?\)", "", str(name))).strip())


def resolve_former_commune(value: str, units: pd.DataFrame | None = None) -> tuple[str, str | None]:
    """(former unit name, former code) for a commune written as a name or a code.

    ``"Hợp Thành"``, ``"xa hop thanh"``, ``"Xã Hợp Thành"``, ``"06226"`` → ``("Xã Hợp Thành", "06226")``.
    An unknown name is returned as written with code None (the caller reports it).
    """
    units = _former_units() if units is None else units
    text = str(value).strip()
    if re.fullmatch(r"\d{1,5}", text):
        code = text.zfill(5)
        hit = units[units["former_code"] == code]
        return (hit.iloc[0]["former_unit"], code) if len(hit) else (text, code)
    key = _fold_unit(text)
    hits = units[units["former_unit"].map(_fold_unit) == key]
    if len(hits):
        return hits.iloc[0]["former_unit"], hits.iloc[0]["former_code"]
    return text, None


# ------------------------------------------------------------------------------------ prepare
def _file_sha256(paths) -> str:
    digest = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _project_row(store, project_id: str):
    projects = store.projects()
    hit = projects[projects["project_id"] == project_id]
    if hit.empty:
        known = ", ".join(projects["project_id"].astype(str))
        raise CadastreImportError(f"Không có dự án {project_id!r}. Các dự án: {known}.")
    return hit.iloc[0], projects.crs


def _default_epsg(project_row) -> int:
    province = project_row.get("province") if hasattr(project_row, "get") else None
    if isinstance(province, str) and province.strip():
        try:
            return tm3_epsg_for_province(province)
        except ValueError:
            pass
    return LANG_SON_EPSG


def _sheet_from_name(name: str) -> int | None:
    m = re.search(r"(?:to|t|sheet|tobando)[ _-]*0*(\d{1,4})", fold_vi(name).replace(" ", ""))
    return int(m.group(1)) if m else None


def read_layers(paths, *, display_names=None) -> list[RawLayer]:
    """Read every file (see :func:`cadastre.readers.read_source`).

    Raises
    ------
    CadastreImportError
        If a file cannot be read.
    """
    layers: list[RawLayer] = []
    for i, path in enumerate(paths):
        name = display_names[i] if display_names else None
        try:
            layers.extend(read_source(path, display_name=name))
        except ReadError as exc:
            raise CadastreImportError(str(exc)) from exc
    if not layers:
        raise CadastreImportError("Không có lớp dữ liệu nào có đối tượng trong các tệp đã chọn.")
    return layers


def prepare_parcels(paths, store, options: ImportOptions, *, display_names=None) -> PreparedImport:
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
    project, _ = _project_row(store, options.project_id)
    default_epsg = options.default_epsg or _default_epsg(project)
    raw_layers = read_layers(paths, display_names=display_names)
    saved = load_saved_mapping()
    report: dict = {
        "project_id": options.project_id,
        "files": [],
        "crs": [],
        "encodings": [],
        "mapping": {},
        "warnings": [],
        "rejected": [],
        "repairs": [],
        "duplicates": [],
        "slivers": [],
        "outside_boundary": [],
        "land_use": {"compound": 0, "blank": 0, "unknown_codes": []},
        "cad": [],
        "options": {"crs": options.crs, "commune_former": options.commune_former, "map_sheet": options.map_sheet,
                    "sliver_m2": options.sliver_m2, "default_epsg": default_epsg},
        "file_sha256": _file_sha256(paths),
    }
    units = _former_units()
    frames = []
    for raw in raw_layers:
        gdf = raw.gdf
        file_entry = {"file": raw.file, "layer": raw.layer, "format": raw.format, "rows_read": len(gdf),
                      "crs_declared": raw.crs_note, "notes": list(raw.notes)}
        if raw.is_cad:
            try:
                gdf, cad_report = polygons_from_cad(gdf)
            except ValueError as exc:
                raise CadastreImportError(f"{raw.file}: {exc}") from exc
            cad_report["file"] = raw.file
            report["cad"].append(cad_report)
            for enc in cad_report.get("text_encoding", []):
                if enc["encoding"] != "unicode":
                    report["encodings"].append({"file": raw.file, "column": "Text (nhãn CAD)", "encoding": enc["encoding"],
                                                "encoding_label": ENCODING_LABELS_VI[enc["encoding"]], "samples": enc["samples"]})
            for item in cad_report["labels_outside"]:
                report["warnings"].append(f"{raw.file}: nhãn {item['text']!r} tại X={item['x_northing']} Y={item['y_easting']} "
                                          "không nằm trong vùng nào dựng được (ranh thửa hở?).")
            if cad_report["dangles"]["count"]:
                report["warnings"].append(f"{raw.file}: {cad_report['dangles']['count']} đoạn ranh hở (tổng "
                                          f"{cad_report['dangles']['length_m']} m) không khép thành thửa.")
            file_entry["rows_read"] = len(gdf)
            file_entry["cad_elements"] = cad_report["elements"]
        raw_for_crs = RawLayer(raw.file, raw.layer, raw.format, gdf, raw.crs_text, raw.crs_note)
        try:
            decision = decide_layer_crs(raw_for_crs, user_epsg=options.crs, default_epsg=default_epsg)
        except CrsUndecided as exc:
            raise CadastreImportError(str(exc)) from exc
        report["crs"].append({"file": raw.file, "layer": raw.layer, **decision.to_dict()})
        report["warnings"].extend(decision.warnings)
        file_entry["epsg"] = decision.epsg
        report["files"].append(file_entry)

        # text encodings (CAD labels were converted already)
        if not raw.is_cad:
            gdf, decisions = convert_text_columns(gdf)
            for d in decisions:
                if d.encoding != "unicode":
                    report["encodings"].append({"file": raw.file, "column": d.column, "encoding": d.encoding,
                                                "encoding_label": ENCODING_LABELS_VI[d.encoding],
                                                "samples": [{"before": b, "after": a} for b, a in d.samples]})
        # attribute mapping
        if raw.is_cad:
            mapping = {"so_thua": "parcel_number", "loai_dat": "land_use", "dien_tich": "declared_area_m2",
                       "chu_su_dung": "owner_name"}
        else:
            mapping = suggest_mapping(gdf.columns, saved)
            user = {c: t for c, t in options.mapping.items() if c in gdf.columns}
            mapping = {c: t for c, t in mapping.items() if c not in user and t not in user.values()}
            mapping.update({c: t for c, t in user.items() if t})
        report["mapping"][f"{raw.file}:{raw.layer}"] = mapping
        report.setdefault("source_columns", {})[f"{raw.file}:{raw.layer}"] = [c for c in gdf.columns if c != "geometry"]
        canon = pd.DataFrame(index=gdf.index)
        for source, target in mapping.items():
            canon[target] = gdf[source].values
        for target in CANONICAL_FIELDS:
            if target not in canon:
                canon[target] = None
        if raw.is_cad:
            centres = gdf.geometry.representative_point()
            canon["_row"] = [f"{raw.file} vùng dựng số {i + 1} (X={p.y:.2f}, Y={p.x:.2f})" for i, p in enumerate(centres)]
        else:
            canon["_row"] = [f"{raw.file} dòng {i + 1}" for i in range(len(gdf))]
        canon["source_file"] = raw.file
        canon["_sheet_from_name"] = _sheet_from_name(raw.layer) or _sheet_from_name(Path(raw.file.split(":")[-1]).stem)
        layer = gpd.GeoDataFrame(canon, geometry=gdf.geometry.values, crs=decision.epsg)
        if decision.epsg != STORE_EPSG:
            layer = layer.to_crs(STORE_EPSG)
        frames.append(layer)

    parcels = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=STORE_EPSG)
    rows_read = len(parcels)
    rejected_rows: list[dict] = []

    def reject(mask, reason_fn):
        nonlocal parcels
        for _, row in parcels[mask].iterrows():
            rejected_rows.append({"row": row["_row"], "reason": reason_fn(row), "geometry": row.geometry})
        parcels = parcels[~mask]

    # --- values -------------------------------------------------------------------------------
    parsed_number, parsed_sheet, bad, sheet_fallback = [], [], {}, 0
    int_cache: dict = {}

    def int_key(value):
        key = (type(value).__name__, str(value))
        if key not in int_cache:
            try:
                int_cache[key] = (parse_int_key(value), None)
            except ValueError as exc:
                int_cache[key] = (None, str(exc))
        return int_cache[key]

    for idx, raw_number, raw_sheet, row_label, name_sheet in zip(
            parcels.index, parcels["parcel_number"], parcels["map_sheet"], parcels["_row"], parcels["_sheet_from_name"]):
        number, error = int_key(raw_number)
        if error:
            bad[idx] = f"Cột số thửa: {error}; cần số nguyên."
        elif number is None:
            bad[idx] = ("Không có nhãn số thửa bên trong vùng dựng từ ranh thửa." if "vùng dựng" in row_label
                        else "Cột số thửa trống; cần số thửa.")
        sheet, error = int_key(raw_sheet)
        if error:
            bad.setdefault(idx, f"Cột số tờ: {error}; cần số nguyên.")
        if sheet is None and idx not in bad:
            sheet = options.map_sheet if options.map_sheet is not None else name_sheet
            if sheet is None or (isinstance(sheet, float) and np.isnan(sheet)):
                bad[idx] = "Không có số tờ bản đồ (tệp không có cột số tờ; hãy nhập số tờ)."
                sheet = None
            elif options.map_sheet is None:
                sheet_fallback += 1
        parsed_number.append(number)
        parsed_sheet.append(sheet)
    parcels = parcels.assign(parcel_number=parsed_number, map_sheet=parsed_sheet)
    if bad:
        mask = parcels.index.isin(list(bad))
        reject(mask, lambda r: bad[r.name])
    if sheet_fallback:
        report["warnings"].append(f"Số tờ lấy từ tên tệp/lớp cho {sheet_fallback} thửa (tệp không có cột số tờ).")

    # commune (former unit): column, else option
    communes_former, codes_former, unknown_communes, resolved = [], [], set(), {}
    for value in parcels["commune_former"]:
        if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
            value = options.commune_former
        if value is None or str(value).strip() == "":
            communes_former.append(None)
            codes_former.append(None)
            continue
        if value not in resolved:
            resolved[value] = resolve_former_commune(value, units)
        name, code = resolved[value]
        if code is None:
            unknown_communes.add(name)
        communes_former.append(name)
        codes_former.append(code)
    parcels = parcels.assign(commune_former=communes_former, _former_code=codes_former)
    reject(parcels["commune_former"].isna(),
           lambda r: "Không có xã (đơn vị cũ) của thửa: tệp không có cột xã; hãy chọn xã (--commune).")
    if unknown_communes:
        report["warnings"].append("Xã không có trong danh mục đơn vị hành chính cũ (giữ nguyên tên): "
                                  + ", ".join(sorted(unknown_communes)))

    land_use, unknown_codes = [], set()
    for value in parcels["land_use"]:
        code, unknown = parse_land_use(value)
        land_use.append(code)
        unknown_codes.update(unknown)
    land_use = pd.Series(land_use, index=parcels.index, dtype=object)
    report["land_use"] = {"compound": int(land_use.str.contains(r"\+").sum()), "blank": int((land_use == "").sum()),
                          "unknown_codes": sorted(unknown_codes)}
    declared = []
    for idx, value in parcels["declared_area_m2"].items():
        try:
            declared.append(parse_area(value))
        except ValueError as exc:
            declared.append(None)
            report["warnings"].append(f"{parcels.at[idx, '_row']}: cột diện tích {exc}; bỏ qua giá trị này.")
    parcels = parcels.assign(land_use=land_use, declared_area_m2=pd.array(declared, dtype="Float64").astype(float))

    # --- geometry ---------------------------------------------------------------------------
    kept, repairs, geom_rejects = repair_polygons(parcels, parcels["_row"].tolist())
    for item in geom_rejects:
        rejected_rows.append({**item, "geometry": None})
    report["repairs"] = repairs
    parcels = kept

    parcels = parcels.assign(map_sheet=parcels["map_sheet"].astype(int), parcel_number=parcels["parcel_number"].astype(int))
    duplicates = find_duplicate_keys(parcels)
    report["duplicates"] = duplicates
    if duplicates:
        dup_mask = parcels.duplicated(["commune_former", "map_sheet", "parcel_number"], keep=False)
        reject(dup_mask, lambda r: f"Trùng khóa xã {r['commune_former']} – tờ {r['map_sheet']} – thửa "
                                   f"{r['parcel_number']} với thửa khác (không gộp; hãy sửa tệp gốc).")

    boundary = project.geometry if project.geometry is not None and not project.geometry.is_empty else None
    if boundary is None:
        report["warnings"].append("Dự án chưa có chỉ giới GPMB: diện tích thu hồi = cả thửa.")
    area, is_sliver, is_outside = clip_to_boundary(parcels, boundary, sliver_m2=options.sliver_m2)
    for idx in parcels.index[is_sliver.to_numpy()]:
        report["slivers"].append({"row": parcels.at[idx, "_row"], "area_inside_m2": round(float(area[idx]), 3)})
    for idx in parcels.index[is_outside.to_numpy()]:
        report["outside_boundary"].append(parcels.at[idx, "_row"])
    parcels = parcels.assign(area_to_recover_m2=area.round(2))
    parcels = parcels[~(is_sliver | is_outside).to_numpy()]

    # --- 2025 commune, chainage, ids --------------------------------------------------------
    parcels = _attach_commune_2025(parcels, store)
    parcels = _attach_chainage(parcels, store, options.project_id, str(project.get("kind", "")))
    former_key = [c if isinstance(c, str) and c else _fold_unit(n).replace(" ", "_")
                  for c, n in zip(parcels["_former_code"], parcels["commune_former"])]
    parcels = parcels.assign(
        project_id=options.project_id,
        parcel_id=[f"{options.project_id}/{k}/{s}/{n}" for k, s, n in
                   zip(former_key, parcels["map_sheet"], parcels["parcel_number"])],
        parcel_area_m2=parcels.geometry.area.round(2),
        illustrative=False,
    )
    for col in PARCEL_COLUMNS:
        if col not in parcels:
            parcels[col] = None
    parcels = gpd.GeoDataFrame(parcels[list(PARCEL_COLUMNS)], geometry=parcels.geometry.values, crs=STORE_EPSG)
    parcels = parcels.reset_index(drop=True)

    rejected = gpd.GeoDataFrame(
        {"row": [r["row"] for r in rejected_rows], "reason": [r["reason"] for r in rejected_rows]},
        geometry=[r.get("geometry") for r in rejected_rows], crs=STORE_EPSG)
    report["rejected"].extend({"row": r["row"], "reason": r["reason"]} for r in rejected_rows)
    report["counts"] = {
        "read": rows_read,
        "imported": len(parcels),
        "repaired": len(repairs),
        "duplicates": int(sum(len(d["rows"]) for d in duplicates)),
        "rejected": len(rejected_rows),
        "slivers": len(report["slivers"]),
        "outside_boundary": len(report["outside_boundary"]),
        "area_to_recover_m2": round(float(parcels["area_to_recover_m2"].sum()), 2),
    }
    if parcels.empty:
        report["warnings"].append("Không còn thửa nào để nhập sau khi kiểm tra.")
    return PreparedImport(parcels=parcels, rejected=rejected, report=report)


def _attach_commune_2025(parcels: gpd.GeoDataFrame, store) -> gpd.GeoDataFrame:
    """2025 commune name and code of each parcel, from the commune containing its representative point."""
    try:
        communes = store.communes()
    except Exception:  # pragma: no cover - a store without communes
        log.exception("communes layer unavailable")
        communes = None
    if communes is None or communes.empty or parcels.empty:
        return parcels.assign(commune=None, commune_code=None)
    communes = communes.to_crs(STORE_EPSG)[["full_name", "code", "geometry"]]
    points = gpd.GeoDataFrame({"_i": np.arange(len(parcels))}, geometry=parcels.geometry.representative_point().values,
                              crs=STORE_EPSG)
    joined = gpd.sjoin(points, communes, how="left", predicate="within").drop_duplicates("_i").sort_values("_i")
    return parcels.assign(commune=joined["full_name"].to_numpy(), commune_code=joined["code"].to_numpy())


def _attach_chainage(parcels: gpd.GeoDataFrame, store, project_id: str, kind: str) -> gpd.GeoDataFrame:
    """Chainage (m) of each parcel's representative point on the project's centreline; NaN for areas."""
    chainage = np.full(len(parcels), np.nan)
    if kind == "road" and not parcels.empty:
        lines = store.centrelines()
        hit = lines[lines["project_id"] == project_id]
        if not hit.empty and hit.iloc[0].geometry is not None:
            from gis.chainage import chainages_of_points

            line = hit.iloc[0].geometry
            if line.geom_type == "MultiLineString":
                from shapely.ops import linemerge

                line = linemerge(line)
            if line.geom_type == "LineString":
                start = float(hit.iloc[0].get("chainage_start_m") or 0.0)
                chainage = chainages_of_points(line, parcels.geometry.representative_point().values, start)
    return parcels.assign(chainage_m=np.round(chainage, 1))


# ------------------------------------------------------------------------------------- commit
def commit_parcels(store, prepared: PreparedImport, *, scope: str = "communes") -> int:
    """Write the prepared parcels as a new version of the ``parcels`` layer (one transaction).

    Parameters
    ----------
    store : Store
        ``data_version()``, ``parcels()`` and ``replace_layers(…)``. The parcels version read before
        the layer is passed as ``expected_versions``: if someone else replaced the parcels meanwhile,
        nothing is written and :class:`CadastreImportError` says so.
    prepared : PreparedImport
    scope : {"communes", "project"}
        Which existing parcels the import replaces: those of the project in the former communes present
        in the import (default: importing one commune's sheets keeps the others), or all of the project's.

    Returns
    -------
    int
        The new layer version; the previous one stays restorable with ``store.restore_layer``.

    Raises
    ------
    CadastreImportError
        If there is nothing to import, ``scope`` is unknown, the store refuses the layer or the
        parcels changed since they were read (nothing written).
    """
    if prepared.parcels.empty:
        raise CadastreImportError("Không có thửa nào để ghi; không thay đổi dữ liệu.")
    if scope not in ("communes", "project"):
        raise CadastreImportError(f"Phạm vi thay thế không hợp lệ: {scope!r} (communes | project).")
    project_id = prepared.report["project_id"]
    seen_version = int(store.data_version().get("layers", {}).get("parcels", 0))  # before reading the layer
    current = store.parcels()
    drop = current["project_id"] == project_id
    if scope == "communes" and "commune_former" in current:
        drop &= current["commune_former"].isin(prepared.parcels["commune_former"].unique())
    kept = current[~drop]
    new = prepared.parcels
    if kept.crs is not None and kept.crs.to_epsg() != STORE_EPSG:
        kept = kept.to_crs(STORE_EPSG)
    combined = pd.concat([kept, new], ignore_index=True)
    combined = gpd.GeoDataFrame(combined, geometry="geometry", crs=STORE_EPSG)
    report = dict(prepared.report)
    report["replaced"] = {"scope": scope, "removed": int(drop.sum()), "kept": len(kept), "added": len(new)}
    from sqlalchemy.exc import SQLAlchemyError

    from store import StoreError

    try:
        return store.replace_layers({"parcels": combined}, report=report,
                                    expected_versions={"parcels": seen_version})["parcels"]
    except StoreError as exc:  # refused columns/dates, or another user replaced the parcels meanwhile
        raise CadastreImportError(str(exc)) from exc
    except SQLAlchemyError as exc:  # rolled back: nothing written
        log.info("replace_layers failed", exc_info=True)
        raise CadastreImportError(f"Không ghi được vào kho dữ liệu (lỗi cơ sở dữ liệu: {type(exc.orig or exc).__name__}); "
                                  "kho dữ liệu không thay đổi (lớp thửa đất giữ phiên bản cũ).") from exc

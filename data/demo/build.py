"""Assemble the demo layers: projects (clearance boundaries), centrelines and parcels, EPSG:9215.

Column names follow DATA_MODEL.md. The rules of every approximation are in ``data/SOURCES.md``.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import unary_union

from data.demo import geometry as geo
from data.demo.names import owner_name
from data.demo.parcels import route_blocks, split_rectangle, voronoi_fabric
from domain.tables import PARCEL_COLUMNS
from domain.units import DEFAULT_UNIT_CODE
from gis.chainage import format_chainage
from gis.crs import LANG_SON_CRS
from parsing.text import fold_vi

PROVINCE = "Lạng Sơn"
CAO_LOC_DISTRICT = "Huyện Cao Lộc"
#: Margin of the parcel fabric beyond the clearance boundary, m (parcels straddling the boundary).
FABRIC_MARGIN_M = 15.0

#: Former (pre-1/7/2025) units met along each route inside each 2025 unit, in increasing chainage, with
#: the fraction of the unit's chainage range where each ends. The split lines between old communes are
#: not public: the order follows the former units' approximate positions, the fractions are assumptions.
#: For the clusters the range is the cluster's own chainage range along QL4B.
ROUTE_FORMER_SPLIT: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {
    ("QL4B", "Phường Đông Kinh"): (("Phường Vĩnh Trại", 1.0),),
    # Kỳ Lừa range ≈ Km0+511 – Km9+702: city ward to Km3+700, then TT Cao Lộc, Tân Liên, Gia Cát.
    ("QL4B", "Phường Kỳ Lừa"): (("Phường Hoàng Văn Thụ", 0.347), ("Thị trấn Cao Lộc", 0.445),
                                ("Xã Tân Liên", 0.619), ("Xã Gia Cát", 1.0)),
    ("CT_HNCL", "Xã Đồng Đăng"): (("Thị trấn Đồng Đăng", 0.45), ("Xã Bảo Lâm", 1.0)),
    ("CT_HNCL", "Xã Cao Lộc"): (("Xã Thạch Đạn", 0.7), ("Xã Lộc Yên", 1.0)),
    ("CT_HNCL", "Xã Công Sơn"): (("Xã Hòa Cư", 1.0),),
    ("CT_HNCL", "Phường Kỳ Lừa"): (("Xã Hợp Thành", 0.3), ("Xã Gia Cát", 0.6), ("Xã Tân Liên", 1.0)),
    ("CT_HNCL", "Phường Đông Kinh"): (("Xã Yên Trạch", 1.0),),
    ("CCN_HT1", "Phường Kỳ Lừa"): (("Thị trấn Cao Lộc", 0.5), ("Xã Hợp Thành", 1.0)),
    ("CCN_HT2", "Phường Kỳ Lừa"): (("Xã Hợp Thành", 1.0),),
}

PROJECT_INFO = {
    "CT_HNCL": dict(name="Đường cao tốc cửa khẩu Hữu Nghị – Chi Lăng (BOT)", short_name="Cao tốc Hữu Nghị – Chi Lăng",
                    kind="road", start_date=dt.date(2023, 7, 1)),
    "QL4B": dict(name="Cải tạo, nâng cấp Quốc lộ 4B đoạn Km3+700 – Km18", short_name="QL4B Km3+700 – Km18",
                 kind="road", start_date=dt.date(2021, 3, 1)),
    "CCN_HT1": dict(name="Cụm công nghiệp Hợp Thành 1", short_name="CCN Hợp Thành 1", kind="area",
                    start_date=dt.date(2023, 10, 2)),
    "CCN_HT2": dict(name="Cụm công nghiệp Hợp Thành 2", short_name="CCN Hợp Thành 2", kind="area",
                    start_date=dt.date(2024, 1, 15)),
    "CA_XA": dict(name="Trụ sở công an xã (7 xã, huyện Cao Lộc cũ)", short_name="Trụ sở công an xã", kind="sites",
                  start_date=dt.date(2024, 2, 1)),
}
PROJECT_ORDER = ("CT_HNCL", "QL4B", "CCN_HT1", "CCN_HT2", "CA_XA")


def load_former_units(sources_dir: Path) -> pd.DataFrame:
    """``former_units.csv``: pre-2025 unit codes (GSO) and districts, columns former_code, former_unit, former_district."""
    return pd.read_csv(Path(sources_dir) / "former_units.csv", dtype=str, encoding="utf-8")


def _former_lookup(former: pd.DataFrame) -> dict[str, tuple[str, str, str]]:
    return {fold_vi(r.former_unit): (r.former_unit, r.former_code, r.former_district) for r in former.itertuples()}


def _chainage_ranges(line, communes: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """Chainage range (m from the first vertex) of the line's part inside each 2025 unit."""
    out = {}
    for unit in communes.itertuples():
        part = line.intersection(unit.geometry)
        if part.length <= 0:
            continue
        coords = shapely.get_coordinates(part)
        d = shapely.line_locate_point(line, shapely.points(coords))
        out[unit.full_name] = (float(d.min()), float(d.max()))
    return out


def _former_at(fraction: float, table) -> str:
    for name, upto in table:
        if fraction <= upto + 1e-12:
            return name
    return table[-1][0]


def build_geometry(communes: gpd.GeoDataFrame, roads: gpd.GeoDataFrame) -> dict:
    """Centrelines, clearance boundaries and parcel fabrics of the five projects (EPSG:9215).

    Returns
    -------
    dict
        ``lines`` {project_id: LineString}, ``boundaries`` {project_id: MultiPolygon},
        ``fabrics`` {project_id: geometry}, ``ql4b_half_width_m``, ``notes`` {project_id: str}.
    """
    ql4b = geo.ql4b_centreline(roads)
    expressway = geo.expressway_centreline()
    cao_loc_units = communes[communes["former_districts"].fillna("").str.contains(CAO_LOC_DISTRICT)]
    cao_loc_area = unary_union(list(cao_loc_units.geometry))
    corridor_area = unary_union(list(communes.geometry))

    # QL4B width: Cao Lộc's part of the section ≈ 45 ha (DOMAIN.md). Cao Lộc length = section ∩ former
    # Cao Lộc units beyond Km3+700 (the city part Km0 – Km3+700 is outside the managed section).
    section = shapely.ops.substring(ql4b, *geo.QL4B_SECTION)
    cao_loc_length = section.intersection(cao_loc_area).length
    half_width = round((geo.QL4B_CAO_LOC_TARGET_M2 - geo.QL4B_RESETTLEMENT_M2) / (2 * cao_loc_length) * 2) / 2
    resettlement = geo.cluster_polygon(ql4b, *geo.QL4B_RESETTLEMENT_CHAINAGE, half_width - 1.0,
                                       geo.QL4B_RESETTLEMENT_M2 + 0.0, side="right")
    corridor_only = geo.corridor(ql4b, *geo.QL4B_SECTION, half_width)
    # The cluster's band starts 1 m inside the corridor so that the union has no gap; the overlap (1 m ×
    # 300 m) makes the resettlement part ~300 m² smaller than 2.4 ha in the union: accepted.
    ql4b_boundary = corridor_only.union(resettlement)

    ccn = {pid: geo.cluster_polygon(ql4b, a, b, half_width + 0.5, geo.CCN_AREAS_M2[pid])
           for pid, (a, b) in geo.CCN_CHAINAGE.items()}
    expressway_boundary = geo.corridor(expressway, 0.0, expressway.length, geo.EXPRESSWAY_HALF_WIDTH_M)
    sites = [geo.police_site(site) for site in geo.POLICE_SITES]

    boundaries = {"QL4B": ql4b_boundary, "CT_HNCL": expressway_boundary, **ccn,
                  "CA_XA": shapely.MultiPolygon(sites)}
    # Fabrics: claimed in order so that parcels of different projects never overlap.
    fabrics = {}
    claimed = shapely.Polygon()
    for pid, other in (("CCN_HT1", "CCN_HT2"), ("CCN_HT2", "CCN_HT1")):
        fabrics[pid] = (ccn[pid].buffer(FABRIC_MARGIN_M, join_style="mitre").difference(ql4b_boundary)
                        .difference(ccn[other]).difference(claimed))
        claimed = claimed.union(fabrics[pid])
    fabrics["QL4B"] = geo.corridor(ql4b, *geo.QL4B_SECTION, half_width + FABRIC_MARGIN_M).union(
        resettlement.buffer(FABRIC_MARGIN_M, join_style="mitre")).intersection(corridor_area).difference(claimed)
    claimed = claimed.union(fabrics["QL4B"])
    fabrics["CT_HNCL"] = geo.corridor(expressway, 0.0, expressway.length,
                                      geo.EXPRESSWAY_HALF_WIDTH_M + FABRIC_MARGIN_M).intersection(
        cao_loc_area).difference(claimed)
    claimed = claimed.union(fabrics["CT_HNCL"])
    fabrics["CA_XA"] = shapely.MultiPolygon(
        [s.buffer(12.0, join_style="mitre") for s in sites]).difference(claimed)

    crossing = ql4b.intersection(expressway)
    crossing_note = ""
    if crossing.geom_type == "Point":
        crossing_note = (f" Giao với QL4B tại lý trình QL4B {format_chainage(ql4b.project(crossing))}"
                         f" / cao tốc {format_chainage(expressway.project(crossing))} (nút giao Kỳ Lừa, gần đúng).")
    notes = {
        "QL4B": ("Gần đúng: tim tuyến nối 3 đoạn QL4B của lớp giao thông CTU-SematX/LegoCity (CC BY-SA 4.0), "
                 "làm trơn Chaikin 3 lần; gốc Km0 đặt ở đầu tuyến phía TP Lạng Sơn (gần đúng, chưa khớp cọc "
                 f"lý trình thật). Chỉ giới GPMB = vùng đệm ±{half_width:g} m quanh tim đoạn Km3+700 – Km18 cộng khu "
                 "tái định cư Gia Cát 2,4 ha (phía tây nam tuyến, Km8+000 – Km8+300, vị trí giả định); bề rộng chọn "
                 "để phần thuộc huyện Cao Lộc cũ ≈ 45 ha."),
        "CT_HNCL": ("Gần đúng: chưa có hướng tuyến công bố; tim tuyến làm trơn qua các điểm đặt tay từ cửa khẩu "
                    "Hữu Nghị (106,7139 E; 21,9720 N), cách hành lang QL4A/QL1A khoảng 1,5–2,5 km về phía đông, "
                    "giao QL4B tại Kỳ Lừa, rồi về Mai Sao (Chi Lăng); cắt đúng 43,43 km tuyến chính. Chỉ giới GPMB "
                    f"= vùng đệm ±{geo.EXPRESSWAY_HALF_WIDTH_M:g} m (≈ 10 ha/km như số liệu công bố 578–618 ha / "
                    "59,87 km)." + crossing_note + " Chỉ phần qua các xã thuộc huyện Cao Lộc cũ có thửa đất."),
        "CCN_HT1": ("Gần đúng: dải đất phía đông bắc QL4B, lý trình QL4B Km3+850 – Km4+900, giáp chỉ giới QL4B; "
                    "diện tích đúng 50 ha (giả định chia 50 / 31,558 ha giữa CCN Hợp Thành 1 và 2)."),
        "CCN_HT2": ("Gần đúng: dải đất phía đông bắc QL4B, lý trình QL4B Km4+900 – Km5+650, giáp chỉ giới QL4B; "
                    "diện tích đúng 31,558 ha (tổng hai cụm 81,558 ha; cách chia là giả định)."),
        "CA_XA": ("Minh họa: 7 khu đất hình chữ nhật 800–2 500 m² đặt gần trung tâm 7 xã cũ của huyện Cao Lộc; "
                  "vị trí và kích thước không phải số liệu thật."),
    }
    return dict(lines={"QL4B": ql4b, "CT_HNCL": expressway}, boundaries=boundaries, fabrics=fabrics,
                sites=sites, ql4b_half_width_m=half_width, notes=notes)


def projects_layer(geom: dict) -> gpd.GeoDataFrame:
    """The ``projects`` layer (DATA_MODEL.md): one row per project, geometry = clearance boundary (MultiPolygon).

    ``start_date`` is a ``datetime64`` at midnight (GeoPackage DATETIME; the date part is meant).
    ``section_from_m``/``section_to_m`` are chainages in metres (NaN for areas and sites). ``unit`` is the
    code of the unit owning the project (``domain.units.DEFAULT_UNIT_CODE``: huyện Cao Lộc, all five).
    """
    rows = []
    for pid in PROJECT_ORDER:
        info = PROJECT_INFO[pid]
        if pid == "QL4B":
            section = geo.QL4B_SECTION
        elif pid == "CT_HNCL":
            section = (0.0, geom["lines"]["CT_HNCL"].length)
        else:
            section = (math.nan, math.nan)
        rows.append(dict(project_id=pid, name=info["name"], short_name=info["short_name"], kind=info["kind"],
                         province=PROVINCE, unit=DEFAULT_UNIT_CODE, start_date=pd.Timestamp(info["start_date"]),
                         section_from_m=float(section[0]), section_to_m=float(section[1]),
                         geometry_status="approximate", geometry_note=geom["notes"][pid],
                         geometry=geo.as_multipolygon(geom["boundaries"][pid])))
    return geo.to_gdf(rows)


def centrelines_layer(geom: dict) -> gpd.GeoDataFrame:
    """The ``centrelines`` layer: QL4B (Km0 – Km18) and the expressway main line, oriented in increasing chainage."""
    rows = [dict(project_id=pid, chainage_start_m=0.0, geometry_status="approximate",
                 geometry_note=geom["notes"][pid], geometry=geom["lines"][pid]) for pid in ("CT_HNCL", "QL4B")]
    return geo.to_gdf(rows)


def _raw_parcels(geom: dict, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Parcel polygons with ``project_id`` and ``land_use`` before keys and owners are assigned."""
    records = []
    ql4b = geom["lines"]["QL4B"]
    half = geom["ql4b_half_width_m"]
    a, b = geo.QL4B_RESETTLEMENT_CHAINAGE
    plans = [
        ("QL4B", route_blocks("QL4B", ql4b, *geo.QL4B_SECTION, half + FABRIC_MARGIN_M, rng, frontage=True)
         + route_blocks("QL4B_TDC", ql4b, a - 30.0, b + 30.0, 400.0, rng, frontage=False,
                        offset_m=half + FABRIC_MARGIN_M, sides=("right",))),
        ("CT_HNCL", route_blocks("CT_HNCL", geom["lines"]["CT_HNCL"], 0.0, geom["lines"]["CT_HNCL"].length,
                                 geo.EXPRESSWAY_HALF_WIDTH_M + FABRIC_MARGIN_M, rng, frontage=False)),
    ]
    for pid in ("CCN_HT1", "CCN_HT2"):
        a, b = geo.CCN_CHAINAGE[pid]
        plans.append((pid, route_blocks(pid, ql4b, a - 30.0, b + 30.0, 900.0, rng, frontage=False,
                                        offset_m=half - 5.0, sides=("left",))))
    for pid, blocks in plans:
        for polygon, land_use in voronoi_fabric(blocks, geom["fabrics"][pid], rng):
            records.append(dict(project_id=pid, land_use=land_use, geometry=polygon))
    fabric = geom["fabrics"]["CA_XA"]
    for site_def, site in zip(geo.POLICE_SITES, geom["sites"]):
        outer = site.buffer(12.0, join_style="mitre")
        for piece in split_rectangle(outer, int(rng.integers(1, 4)), rng):
            piece = piece.intersection(fabric)
            if piece.area > 10:
                records.append(dict(project_id="CA_XA", land_use=str(rng.choice(["ONT", "CLN", "BHK", "LUC"])),
                                    geometry=piece, site_former_unit=site_def.former_unit))
    return geo.to_gdf(records)


def _assign_communes(parcels: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, geom: dict,
                     former: pd.DataFrame) -> gpd.GeoDataFrame:
    lookup = _former_lookup(former)
    reps = parcels.geometry.representative_point()
    joined = gpd.sjoin(gpd.GeoDataFrame(geometry=reps, crs=parcels.crs), communes[["full_name", "code", "geometry"]],
                       how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    parcels = parcels.assign(commune=joined["full_name"], commune_code=joined["code"])
    ql4b = geom["lines"]["QL4B"]
    ranges = {pid: _chainage_ranges(line, communes) for pid, line in geom["lines"].items()}
    former_names, former_codes, districts, chainages = [], [], [], []
    for row, rep in zip(parcels.itertuples(), reps):
        pid, unit = row.project_id, row.commune
        chainage = math.nan
        name = None
        if pid in geom["lines"]:
            chainage = float(geom["lines"][pid].project(row.geometry.centroid))
            table = ROUTE_FORMER_SPLIT.get((pid, unit))
            if table and unit in ranges[pid]:
                lo, hi = ranges[pid][unit]
                name = _former_at(min(max((chainage - lo) / max(hi - lo, 1.0), 0.0), 1.0), table)
        elif pid in ("CCN_HT1", "CCN_HT2"):
            table = ROUTE_FORMER_SPLIT.get((pid, unit))
            if table:
                lo, hi = geo.CCN_CHAINAGE[pid]
                name = _former_at(min(max((ql4b.project(rep) - lo) / (hi - lo), 0.0), 1.0), table)
        else:
            name = row.site_former_unit
        hit = lookup.get(fold_vi(name)) if name else None
        former_names.append(hit[0] if hit else None)
        former_codes.append(hit[1] if hit else None)
        districts.append(hit[2] if hit else None)
        chainages.append(round(chainage, 1) if pid in geom["lines"] else math.nan)
    return parcels.assign(commune_former=former_names, commune_former_code=former_codes,
                          former_district=districts, chainage_m=chainages)


def _number_parcels(parcels: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Map sheet (1 km grid, numbered per former commune) and parcel number (unique within the sheet)."""
    cent = parcels.geometry.centroid
    parcels = parcels.assign(_cx=cent.x, _cy=cent.y)
    parcels["_cell"] = list(zip((parcels["_cx"] // 1000).astype(int), (parcels["_cy"] // 1000).astype(int)))
    sheets = np.zeros(len(parcels), dtype=int)
    numbers = np.zeros(len(parcels), dtype=int)
    position = {idx: i for i, idx in enumerate(parcels.index)}
    for code in sorted(parcels["commune_former_code"].unique()):
        sub = parcels[parcels["commune_former_code"] == code]
        cells = sorted(set(sub["_cell"]), key=lambda c: (-c[1], c[0]))
        sheet_no = int(rng.integers(3, 25))
        for cell in cells:
            in_cell = sub[sub["_cell"] == cell]
            order = in_cell.assign(_row=(-in_cell["_cy"] // 60).astype(int)).sort_values(["_row", "_cx"])
            number = int(rng.integers(1, 40))
            for idx in order.index:
                sheets[position[idx]] = sheet_no
                numbers[position[idx]] = number
                number += int(rng.integers(1, 5))
            sheet_no += int(rng.integers(1, 4))
    return parcels.assign(map_sheet=sheets, parcel_number=numbers).drop(columns=["_cx", "_cy", "_cell"])


def _assign_owners(parcels: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Pseudonymous households; ~25 % of parcels go to a recent neighbour's household (several parcels each)."""
    owners: dict = {}
    order = parcels.sort_values(["commune_former_code", "project_id", "chainage_m", "map_sheet", "parcel_number"])
    state: dict[str, dict] = {}
    for idx, row in order.iterrows():
        code = row["commune_former_code"]
        st = state.setdefault(code, {"n": 0, "recent": []})
        if row["land_use"] in ("DGT", "DTL"):
            owners[idx] = (f"UBND {row['commune_former']}", None)
            continue
        if st["recent"] and rng.random() < 0.25:
            owners[idx] = st["recent"][int(rng.integers(len(st["recent"])))]
            continue
        st["n"] += 1
        household = (owner_name(rng), f"{code}-H{st['n']:04d}")
        st["recent"] = (st["recent"] + [household])[-8:]
        owners[idx] = household
    return parcels.assign(owner_name=[owners[i][0] for i in parcels.index],
                          household_id=[owners[i][1] for i in parcels.index])




def parcels_layer(geom: dict, communes: gpd.GeoDataFrame, former: pd.DataFrame,
                  rng: np.random.Generator) -> gpd.GeoDataFrame:
    """The ``parcels`` layer (DATA_MODEL.md columns, EPSG:9215): illustrative parcels of former Cao Lộc units.

    ``area_to_recover_m2`` = area of parcel ∩ its project's clearance boundary, rounded to 0.1 m²;
    ``parcel_area_m2`` likewise; ``chainage_m`` = chainage of the centroid (NaN for areas and sites).
    """
    parcels = _raw_parcels(geom, rng)
    parcels = _assign_communes(parcels, communes, geom, former)
    parcels = parcels[parcels["former_district"] == CAO_LOC_DISTRICT].copy()
    boundary = {pid: geo.as_multipolygon(b) for pid, b in geom["boundaries"].items()}
    inside = [shapely.intersection(g, boundary[pid]).area for g, pid in zip(parcels.geometry, parcels["project_id"])]
    parcels["area_to_recover_m2"] = np.round(inside, 1)
    parcels["parcel_area_m2"] = np.round(parcels.geometry.area.to_numpy(), 1)
    parcels = parcels[parcels["area_to_recover_m2"] >= 1.0].copy()
    # Residential land in towns/wards is urban (ODT); elsewhere rural (ONT).
    town = parcels["commune_former"].str.startswith(("Thị trấn", "Phường"))
    parcels.loc[town & (parcels["land_use"] == "ONT"), "land_use"] = "ODT"
    parcels = _number_parcels(parcels, rng)
    parcels = _assign_owners(parcels, rng)
    parcels["parcel_id"] = (parcels["project_id"] + "/" + parcels["commune_former_code"] + "/"
                            + parcels["map_sheet"].astype(str) + "/" + parcels["parcel_number"].astype(str))
    parcels["illustrative"] = True
    parcels["map_sheet"] = parcels["map_sheet"].astype("int64")
    parcels["parcel_number"] = parcels["parcel_number"].astype("int64")
    parcels = parcels.sort_values(["project_id", "commune_former", "map_sheet", "parcel_number"]).reset_index(drop=True)
    return gpd.GeoDataFrame(parcels[list(PARCEL_COLUMNS)], geometry=parcels.geometry.values, crs=LANG_SON_CRS)

"""The bundled layers load, follow DATA_MODEL.md and have the magnitudes of the public facts."""
from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from domain import tables
from domain.schemas import ParcelTable

# The one column definition (domain.tables), plus the geometry column of each layer.
PROJECT_COLUMNS = {*tables.PROJECT_COLUMNS, "geometry"}
CENTRELINE_COLUMNS = {*tables.CENTRELINE_COLUMNS, "geometry"}
PARCEL_COLUMNS = {*tables.PARCEL_COLUMNS, "geometry"}
LAND_USE_CODES = {"LUC", "LUK", "BHK", "NHK", "CLN", "RSX", "RPH", "NTS", "ONT", "ODT", "DGT", "DTL", "NTD"}


def test_layers_are_stored_with_epsg_9215(sources_dir):
    for file, layer in (("projects.gpkg", "projects"), ("projects.gpkg", "centrelines"), ("parcels.gpkg", "parcels")):
        assert pyogrio.read_info(sources_dir / file, layer=layer)["crs"] == "EPSG:9215"


def test_projects_contract(projects):
    assert set(projects.columns) == PROJECT_COLUMNS
    assert projects.crs.to_epsg() == 9215
    assert sorted(projects["project_id"]) == ["CA_XA", "CCN_HT1", "CCN_HT2", "CT_HNCL", "QL4B"]
    assert set(projects.geom_type) == {"MultiPolygon"}
    assert projects.is_valid.all()
    assert set(projects["geometry_status"]) == {"approximate"}
    assert projects["geometry_note"].str.len().min() > 50
    kinds = dict(zip(projects["project_id"], projects["kind"]))
    assert kinds == {"CT_HNCL": "road", "QL4B": "road", "CCN_HT1": "area", "CCN_HT2": "area", "CA_XA": "sites"}
    start = dict(zip(projects["project_id"], pd.to_datetime(projects["start_date"]).dt.date))
    assert start["QL4B"].year == 2021 and start["CT_HNCL"].year == 2023
    ql4b = projects.set_index("project_id").loc["QL4B"]
    assert (ql4b["section_from_m"], ql4b["section_to_m"]) == (3700.0, 18000.0)
    assert np.isnan(projects.set_index("project_id").loc["CCN_HT1", "section_from_m"])


def test_cluster_areas_are_81_558_ha(projects):
    areas = projects.set_index("project_id").area
    assert areas["CCN_HT1"] + areas["CCN_HT2"] == pytest.approx(815_580.0, abs=1.0)


def test_expressway_boundary_is_about_100_m_wide(projects, centrelines):
    boundary = projects.set_index("project_id").geometry["CT_HNCL"]
    line = centrelines.set_index("project_id").geometry["CT_HNCL"]
    ha_per_km = boundary.area / 1e4 / (line.length / 1000)
    assert 9.0 < ha_per_km < 11.0  # 578–618 ha / 59.87 km


def test_police_sites_are_small(projects):
    sites = projects.set_index("project_id").geometry["CA_XA"]
    areas = [g.area for g in sites.geoms]
    assert 5 <= len(areas) <= 8
    assert all(800 <= a <= 2500 for a in areas)


def test_centrelines_contract(centrelines, communes):
    assert set(centrelines.columns) == CENTRELINE_COLUMNS
    assert centrelines.crs.to_epsg() == 9215
    lines = centrelines.set_index("project_id").geometry
    assert set(lines.index) == {"CT_HNCL", "QL4B"}
    assert lines["CT_HNCL"].length == pytest.approx(43_430.0, abs=0.5)
    assert lines["QL4B"].length == pytest.approx(18_000.0, abs=0.5)
    # Orientation: expressway starts near the Hữu Nghị border gate, QL4B at the Lạng Sơn city end.
    start = shapely.points(lines["CT_HNCL"].coords[0])
    gate = gpd.GeoSeries([shapely.Point(106.7139, 21.9720)], crs=4326).to_crs(9215).iloc[0]
    assert start.distance(gate) < 50.0
    city = communes.to_crs(9215).set_index("name").geometry
    ql4b_start = shapely.points(lines["QL4B"].coords[0])
    assert city["Đông Kinh"].distance(ql4b_start) < 10.0 or city["Đông Kinh"].contains(ql4b_start)
    # The expressway crosses QL4B (the Kỳ Lừa interchange), inside Kỳ Lừa.
    crossing = lines["CT_HNCL"].intersection(lines["QL4B"])
    assert crossing.geom_type == "Point" and city["Kỳ Lừa"].contains(crossing)


def test_parcels_contract(parcels):
    assert set(parcels.columns) == PARCEL_COLUMNS
    assert parcels.crs.to_epsg() == 9215
    assert 2000 <= len(parcels) <= 5000
    assert parcels.is_valid.all() and set(parcels.geom_type) == {"Polygon"}
    assert parcels["illustrative"].astype(bool).all()
    assert set(parcels["land_use"]) <= LAND_USE_CODES
    assert parcels["commune_code"].str.fullmatch(r"\d{5}").all()
    assert parcels["owner_name"].notna().all()


def test_parcel_keys_unique(parcels):
    assert parcels["parcel_id"].is_unique
    assert not parcels.duplicated(["commune_former", "map_sheet", "parcel_number"]).any()
    pattern = re.compile(r"^(CT_HNCL|QL4B|CCN_HT1|CCN_HT2|CA_XA)/\d{5}/\d+/\d+$")
    assert parcels["parcel_id"].map(lambda s: bool(pattern.match(s))).all()
    rebuilt = parcels["project_id"] + "/" + parcels["parcel_id"].str.split("/").str[1] + "/" + \
        parcels["map_sheet"].astype(str) + "/" + parcels["parcel_number"].astype(str)
    assert (rebuilt == parcels["parcel_id"]).all()


def test_area_to_recover_is_the_intersection_with_the_boundary(parcels, projects):
    boundary = projects.set_index("project_id").geometry
    recomputed = shapely.intersection(parcels.geometry.values,
                                      boundary.loc[parcels["project_id"]].values)
    recomputed_area = shapely.area(recomputed)
    assert np.allclose(parcels["area_to_recover_m2"], recomputed_area, atol=0.06)
    assert np.allclose(parcels["parcel_area_m2"], parcels.area, atol=0.06)
    assert (parcels["area_to_recover_m2"] <= parcels["parcel_area_m2"] + 1e-9).all()
    assert (parcels["area_to_recover_m2"] >= 1.0).all()


def test_parcels_of_different_projects_do_not_overlap(parcels):
    tree = shapely.STRtree(parcels.geometry.values)
    left, right = tree.query(parcels.geometry.values, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(parcels.geometry.values[left[pairs]],
                                                parcels.geometry.values[right[pairs]]))
    assert overlap.max(initial=0.0) < 0.5  # touching neighbours only (m²)


def test_magnitudes_of_the_public_facts(parcels):
    ha = parcels.groupby("project_id")["area_to_recover_m2"].sum() / 1e4
    assert 40.0 <= ha["QL4B"] <= 50.0  # QL4B Cao Lộc part ≈ 45 ha
    assert ha["CCN_HT1"] + ha["CCN_HT2"] == pytest.approx(81.558, abs=0.1)
    # Expressway: length inside former Cao Lộc units × ~100 m (≈ 23–24 km here).
    assert 180.0 <= ha["CT_HNCL"] <= 300.0
    assert set(ha.index) == {"CA_XA", "CCN_HT1", "CCN_HT2", "CT_HNCL", "QL4B"}


def test_parcel_sizes_by_land_use_are_plausible(parcels):
    median = parcels.groupby("land_use")["parcel_area_m2"].median()
    assert 300 <= median["LUC"] <= 1500
    assert 80 <= median["ONT"] <= 400 and 80 <= median["ODT"] <= 400
    assert 500 <= median["BHK"] <= 3000
    assert 2000 <= median["RSX"] <= 20000


def test_communes_and_former_communes_are_consistent(parcels, communes):
    units = communes.set_index("full_name")
    assert set(parcels["commune"]) <= set(units.index)
    assert (parcels["commune_code"] == units.loc[parcels["commune"], "code"].to_numpy()).all()
    for unit, former in parcels[["commune", "commune_former"]].drop_duplicates().itertuples(index=False):
        listed = [re.sub(r"\s*\(.*\)$", "", x.strip()) for x in units.loc[unit, "former_units"].split(",")]
        assert former in listed, (unit, former)
    # The plan is Cao Lộc district's: only former Cao Lộc communes (never city wards / Chi Lăng).
    assert not parcels["commune_former"].isin(["Phường Hoàng Văn Thụ", "Xã Mai Pha", "Xã Hoàng Đồng"]).any()
    assert {"Xã Gia Cát", "Xã Hợp Thành"} <= set(parcels["commune_former"])


def test_parcels_lie_in_their_commune(parcels, communes):
    units = communes.to_crs(9215).set_index("full_name").geometry
    reps = parcels.geometry.representative_point()
    inside = [units[c].contains(p) for c, p in zip(parcels["commune"], reps)]
    assert all(inside)


def test_chainage_of_road_parcels(parcels, centrelines):
    lines = centrelines.set_index("project_id").geometry
    roads = parcels[parcels["project_id"].isin(["QL4B", "CT_HNCL"])]
    assert roads["chainage_m"].notna().all()
    assert parcels.loc[~parcels.index.isin(roads.index), "chainage_m"].isna().all()
    ql4b = roads[roads["project_id"] == "QL4B"]
    assert ql4b["chainage_m"].between(3700.0 - 60, 18000.0).all()
    sample = roads.sample(200, random_state=1)
    expected = [lines[pid].project(g.centroid) for pid, g in zip(sample["project_id"], sample.geometry)]
    assert np.allclose(sample["chainage_m"], expected, atol=0.06)


def test_households_hold_several_parcels_sometimes(parcels):
    per_household = parcels.dropna(subset=["household_id"]).groupby("household_id").size()
    assert (per_household >= 2).mean() > 0.05
    assert per_household.max() <= 12
    public = parcels[parcels["land_use"].isin(["DGT", "DTL"])]
    assert public["household_id"].isna().all() and public["owner_name"].str.startswith("UBND").all()


def test_parcels_pass_the_parcel_schema(parcels):
    """As the store writes them: the bundled file's integer parcel numbers become canonical text keys."""
    from store.layer_versions import normalise_keys

    stored = normalise_keys("parcels", parcels)
    assert (stored["parcel_number"] == parcels["parcel_number"].astype(str)).all()
    ParcelTable.validate(pd.DataFrame(stored.drop(columns="geometry")), lazy=True)

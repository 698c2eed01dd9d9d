"""CRS decisions: declared (.prj name vs parameters), undeclared (degrees/metres, TM-3/UTM ranges)."""
from __future__ import annotations

import pytest
from pyproj import CRS

from cadastre.crs_check import CrsUndecidedError, classify_coordinates, decide_declared_crs, decide_undeclared_crs

UTM_NAMED_TM3 = (
    'PROJCS["VN_2000_UTM_Zone_48N",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",6378137.0,'
    '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",107.25],'
    'PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)
TOWGS84_STRING = ("+proj=tmerc +lat_0=0 +lon_0=107.25 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
                  "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 "
                  "+units=m +no_defs")


def test_prj_named_utm_but_tm3_parameters():
    d = decide_declared_crs(UTM_NAMED_TM3)
    assert (d.epsg, d.source) == (9215, "file_parameters")
    assert d.warnings and "UTM" in d.warnings[0]


@pytest.mark.parametrize("epsg", [9215, 9210, 9214, 3405, 32648, 4326])
def test_esri_prj_of_known_crs_is_kept(epsg):
    d = decide_declared_crs(CRS.from_epsg(epsg).to_wkt("WKT1_ESRI"))
    assert d.epsg == epsg and d.source == "file" and not d.warnings


def test_custom_towgs84_string_becomes_the_epsg_code():
    d = decide_declared_crs(TOWGS84_STRING)
    assert d.epsg == 9215
    assert any("VN-2000" in w for w in d.warnings)


def test_garbage_prj_asks_the_user():
    with pytest.raises(CrsUndecidedError, match="--crs"):
        decide_declared_crs("PROJCS[nonsense")


def test_degrees_in_vietnam_read_as_wgs84_with_a_note():
    d = decide_undeclared_crs((106.7, 21.8, 106.8, 21.9), user_epsg=None)
    assert d.epsg == 4326 and d.source == "coordinates" and d.warnings


def test_metres_default_to_the_project_zone_and_say_so():
    d = decide_undeclared_crs((450000, 2420000, 451000, 2421000), user_epsg=None, default_epsg=9215)
    assert (d.epsg, d.source) == (9215, "project_default")
    assert "không có .prj" in d.warnings[0]


def test_utm_eastings_are_not_taken_for_tm3():
    info = classify_coordinates((730000, 2420000, 731000, 2421000))
    assert info["kind"] == "metres" and info["utm48_plausible"] and 9215 not in info["tm3_plausible"]
    with pytest.raises(CrsUndecidedError, match="3405"):
        decide_undeclared_crs((730000, 2420000, 731000, 2421000), user_epsg=None, default_epsg=9215)


def test_swapped_xy_is_refused_not_fixed():
    with pytest.raises(CrsUndecidedError, match="đảo"):
        decide_undeclared_crs((2420000, 450000, 2421000, 451000), user_epsg=None)


def test_degrees_with_a_metric_choice_is_refused():
    with pytest.raises(CrsUndecidedError):
        decide_undeclared_crs((106.7, 21.8, 106.8, 21.9), user_epsg=9215)

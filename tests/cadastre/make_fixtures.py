"""Build the cadastre test files in every format, CRS case and encoding case: ``python tests/cadastre/make_fixtures.py DIR``.

The ground truth is a small sheet of parcels drawn in EPSG:9215 (VN-2000 / TM-3 107-15) in former
Xã Hợp Thành (today Phường Kỳ Lừa, Lạng Sơn), with a clearance boundary cutting through it. Every
file is written from that truth with real writers (GDAL through pyogrio, ezdxf, zipfile) and, for the
legacy encodings, with ``cadastre.encoding.unicode_to_tcvn3/unicode_to_vni`` (round-trip checked in
``test_encoding.py``). The tests compare what the importer returns with the truth computed here in
EPSG:9215 by shapely, never with the importer's own earlier output.

MicroStation DGN V7: GDAL writes the line work (its DGN writer cannot create text from pyogrio), and
the text elements (type 17) carrying TCVN3 labels are appended here, byte by byte, in the V7 layout
that GDAL's DGN reader (dgnlib) reads back.
"""
from __future__ import annotations

import json
import sys
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from shapely.geometry import LineString, Polygon, box

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from parsing.legacy import unicode_to_tcvn3, unicode_to_vni  # noqa: E402

E0, N0 = 450700.0, 2421000.0
COMMUNE = "Xã Hợp Thành"
COMMUNE_CODE = "06226"
SHEET = 12
PROJECT_ID = "TEST_QL4B"
#: Clearance boundary (chỉ giới GPMB) in EPSG:9215.
BOUNDARY = box(E0 + 10, N0 - 0.01, E0 + 70, N0 + 75)
OWNERS = ["Nguyễn Văn An", "Trần Thị Bình", "Hoàng Văn Đức", "Lương Thị Hợp", "Vi Văn Thắng", "Nông Thị Ưng",
          "Đinh Quốc Việt", "Lý Thị Hường", "Chu Văn Lộc", "Hà Thị Nguyệt", "Mã Văn Cường", "Lăng Thị Yến",
          "Tô Văn Sơn", "Bế Thị Lụa", "Dương Văn Ất", "Phùng Thị Ơn", "Ninh Văn Quý"]
LAND_USE = ["LUC", "BHK", "ODT+BHK", "", "CLN", "ONT"]
#: Area (m²) inside the boundary of parcels 1–12 (rows of 25 m, columns of 20 m cut at x=10 and x=70).
EXPECTED_INSIDE = {n: (250.0 if (n - 1) % 4 in (0, 3) else 500.0) for n in range(1, 13)}
SLIVERS = (13, 14, 15, 16)  # 0.1–0.2 m² inside
OUTSIDE = (17,)


def truth() -> gpd.GeoDataFrame:
    """The ground-truth parcels (EPSG:9215): parcel_number, map_sheet, land_use, owner_name, geometry."""
    rows = []
    n = 0
    for r in range(3):
        for c in range(4):
            n += 1
            rows.append((n, box(E0 + 20 * c, N0 + 25 * r, E0 + 20 * (c + 1), N0 + 25 * (r + 1))))
    for c in range(4):  # sliver row below the boundary's south edge (boundary at N0 - 0.01)
        n += 1
        rows.append((n, box(E0 + 20 * c, N0 - 25, E0 + 20 * (c + 1), N0)))
    n += 1
    rows.append((n, box(E0 + 200, N0, E0 + 220, N0 + 25)))  # outside
    gdf = gpd.GeoDataFrame({
        "parcel_number": [r[0] for r in rows],
        "map_sheet": SHEET,
        "land_use": [LAND_USE[(r[0] - 1) % len(LAND_USE)] for r in rows],
        "owner_name": [OWNERS[r[0] - 1] for r in rows],
    }, geometry=[r[1] for r in rows], crs=9215)
    return gdf


def spiked(poly: Polygon) -> Polygon:
    """The same square with a zero-area spike: invalid (self-intersection), make_valid keeps the area."""
    (x0, y0, x1, y1) = poly.bounds
    return Polygon([(x0, y0), (x1, y0), (x1, y0 + 10), (x1 - 5, y0 + 10), (x1, y0 + 10), (x1, y1), (x0, y1)])


ESRI_PRJ_UTM_NAMED_TM3 = (
    'PROJCS["VN_2000_UTM_Zone_48N",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",6378137.0,'
    '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",107.25],'
    'PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)


def _write_shp(gdf: gpd.GeoDataFrame, path: Path, *, prj: str | bool | None = True, cpg: str | None = "UTF-8",
               encoding: str = "UTF-8") -> Path:
    """Write a shapefile; ``prj``: True = GDAL's, str = this text, None = no .prj; ``cpg`` None = no .cpg."""
    pyogrio.write_dataframe(gdf, path, driver="ESRI Shapefile", encoding=encoding)
    if prj is None:
        path.with_suffix(".prj").unlink(missing_ok=True)
    elif isinstance(prj, str):
        path.with_suffix(".prj").write_text(prj, encoding="ascii")
    if cpg is None:
        path.with_suffix(".cpg").unlink(missing_ok=True)
    else:
        path.with_suffix(".cpg").write_text(cpg, encoding="ascii")
    return path


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: letters with circumflex/breve/horn are precomposed, tones are combining marks."""
    import unicodedata

    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        nfd = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in tones))
        out.append(base + "".join(c for c in nfd if c in tones))
    return "".join(out).encode("cp1258")


def _shp_parts(path: Path) -> list[Path]:
    return list(path.parent.glob(path.stem + ".*"))


def famis_attributes(t: gpd.GeoDataFrame, encode) -> gpd.GeoDataFrame:
    """Famis/gCadas field names, padded text sheet numbers, float parcel numbers, decimal-comma areas."""
    return gpd.GeoDataFrame({
        "SHBANDO": [f"{s:03d}" for s in t["map_sheet"]],
        "SHTHUA": [float(n) for n in t["parcel_number"]],
        "KHLOAIDAT": t["land_use"].tolist(),
        "DIENTICH": [f"{g.area:.1f}".replace(".", ",") for g in t.geometry],
        "TENCHU": [encode(o) for o in t["owner_name"]],
        "XAID": encode(COMMUNE),
    }, geometry=t.geometry.values, crs=t.crs)


def _text_element(text_bytes: bytes, x: float, y: float, to_int, level: int = 1) -> bytes:
    """A DGN V7 2D text element (type 17) at (x, y) in master units."""
    def i32(v: int) -> bytes:
        u = v & 0xFFFFFFFF
        return bytes([(u >> 16) & 0xFF, (u >> 24) & 0xFF, u & 0xFF, (u >> 8) & 0xFF])

    ix, iy = to_int(x, y)
    body = bytearray(60 + len(text_bytes) + (len(text_bytes) % 2))
    body[0], body[1] = level, 17
    for k, v in enumerate((ix, iy, 0, ix, iy, 0)):
        body[4 + 4 * k: 8 + 4 * k] = i32((v + 2**31) & 0xFFFFFFFF)
    body[36], body[37] = 1, 0  # font 1, justification left-top
    body[38:42] = i32(1000)
    body[42:46] = i32(1000)
    body[46:50] = i32(0)
    body[50:54] = i32(ix)
    body[54:58] = i32(iy)
    body[58], body[59] = len(text_bytes), 0
    body[60:60 + len(text_bytes)] = text_bytes
    words = len(body) // 2
    body[2:4] = (words - 2).to_bytes(2, "little")
    body[30:32] = ((len(body) - 32) // 2).to_bytes(2, "little")
    return bytes(body)


def write_dgn(path: Path, lines, labels) -> Path:
    """DGN V7: GDAL writes ``lines``; text elements for ``labels`` [(text_bytes, x, y)] are appended."""
    gdf = gpd.GeoDataFrame(geometry=list(lines))
    path.unlink(missing_ok=True)
    with warnings.catch_warnings():  # a DGN V7 has no CRS: GDAL's warning about it is expected here
        warnings.simplefilter("ignore", UserWarning)
        pyogrio.write_dataframe(gdf, path, driver="DGN")
    data = bytearray(path.read_bytes())

    def s32(p) -> int:
        v = p[2] | p[3] << 8 | p[1] << 24 | p[0] << 16
        return v - (1 << 32) if v >= 1 << 31 else v

    # Find the first line string GDAL wrote and derive the master-unit → integer transform from it.
    off, first = 0, None
    while off < len(data) and not (data[off] == 0xFF and data[off + 1] == 0xFF):
        etype = data[off + 1] & 0x7F
        size = ((data[off + 2] | data[off + 3] << 8) + 2) * 2
        if etype in (3, 4) and first is None:
            first = off
        off += size
    end = off
    nverts = data[first + 36] | data[first + 37] << 8
    assert nverts >= 2
    vx = [s32(data[first + 38 + 8 * k: first + 42 + 8 * k]) for k in range(2)]
    vy = [s32(data[first + 42 + 8 * k: first + 46 + 8 * k]) for k in range(2)]
    (x0, y0), (x1, y1) = list(lines[0].coords)[:2]
    scale = (vx[1] - vx[0]) / (x1 - x0) if x1 != x0 else (vy[1] - vy[0]) / (y1 - y0)
    ox, oy = x0 - vx[0] / scale, y0 - vy[0] / scale

    def to_int(x, y):
        return round((x - ox) * scale), round((y - oy) * scale)

    extra = b"".join(_text_element(t, x, y, to_int) for t, x, y in labels)
    path.write_bytes(bytes(data[:end]) + extra + b"\xff\xff")
    return path


def build_all(out: Path) -> dict:
    """Write every fixture into ``out``; returns the manifest {name: path}."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t = truth()
    files: dict[str, Path] = {}

    # 1. Famis shapefile: TCVN3 bytes, no .prj, no .cpg, invalid polygon, duplicate key.
    famis = famis_attributes(t, unicode_to_tcvn3)
    geoms = list(famis.geometry.values)
    geoms[5] = spiked(geoms[5])  # parcel 6 invalid
    famis = famis.set_geometry(geoms)
    dup = famis.iloc[[6]].copy()  # parcel 7 twice, the copy 1 km east
    dup = dup.set_geometry(dup.geometry.translate(1000, 0))
    famis = gpd.GeoDataFrame(pd_concat([famis, dup]), geometry="geometry", crs=9215)
    d = out / "famis_tcvn3"
    d.mkdir(exist_ok=True)
    files["famis_tcvn3_noprj"] = _write_shp(famis, d / "thua_to12.shp", prj=None, cpg=None, encoding="latin1")

    # 2. Zip: VNI bytes declared UTF-8 (mis-stored), .prj named UTM 48N but holding TM-3 107-15 parameters.
    vni = famis_attributes(t, unicode_to_vni).rename(columns={"SHBANDO": "SoTo", "SHTHUA": "SoThua", "KHLOAIDAT": "LoaiDat",
                                                              "DIENTICH": "DienTich", "TENCHU": "ChuSuDung", "XAID": "MaXa"})
    vni["MaXa"] = COMMUNE_CODE
    d = out / "vni_zip"
    d.mkdir(exist_ok=True)
    shp = _write_shp(vni, d / "to12_vni.shp", prj=ESRI_PRJ_UTM_NAMED_TM3, cpg="UTF-8")
    files["vni_prj_mismatch_zip"] = out / "to12_vni.zip"
    with zipfile.ZipFile(files["vni_prj_mismatch_zip"], "w") as zf:
        for part in _shp_parts(shp):
            zf.write(part, part.name)

    # 3. TCVN3 mis-stored as UTF-8 ("NguyÔn V¨n") in a neighbouring TM-3 zone (Cao Bằng, EPSG:9210), with .prj.
    d = out / "zone9210"
    d.mkdir(exist_ok=True)
    tc_utf8 = famis_attributes(t, unicode_to_tcvn3).to_crs(9210)
    files["tcvn3_utf8_zone9210"] = _write_shp(tc_utf8, d / "to12_caobang.shp", prj=True, cpg="UTF-8")

    # 4. VN-2000 / UTM 48N with and without .prj.
    d = out / "utm"
    d.mkdir(exist_ok=True)
    utm = famis_attributes(t, lambda s: s).to_crs(3405)
    files["utm48_prj"] = _write_shp(utm, d / "utm_prj.shp", prj=True)
    files["utm48_noprj"] = _write_shp(utm, d / "utm_noprj.shp", prj=None)

    # 4b. Windows-1258 (Vietnamese ANSI code page, tones as combining marks) declared by .cpg "1258".
    d = out / "cp1258"
    d.mkdir(exist_ok=True)
    # the bytes on disk are cp1258 (written through Latin-1 so GDAL copies them unchanged)
    files["cp1258_cpg"] = _write_shp(famis_attributes(t, lambda s: to_cp1258(s).decode("latin-1")),
                                     d / "to12_cp1258.shp", prj=True, cpg="1258", encoding="latin1")

    # 5. GeoPackage, ViLIS names, Unicode, EPSG:9215.
    gp = gpd.GeoDataFrame({"SoTo": t["map_sheet"], "SoThua": t["parcel_number"].astype(str), "LoaiDat": t["land_use"],
                           "ChuSuDung": t["owner_name"], "TenXa": COMMUNE}, geometry=t.geometry.values, crs=9215)
    files["gpkg"] = out / "thua.gpkg"
    files["gpkg"].unlink(missing_ok=True)
    pyogrio.write_dataframe(gp, files["gpkg"], layer="thua_dat", driver="GPKG")

    # 6. GeoJSON (RFC 7946, WGS 84), national LIS names.
    gj = gpd.GeoDataFrame({"soTo": t["map_sheet"], "soThua": t["parcel_number"], "mucDichSuDung": t["land_use"],
                           "chuSuDung": t["owner_name"], "xa": COMMUNE}, geometry=t.geometry.values, crs=9215).to_crs(4326)
    files["geojson"] = out / "thua.geojson"
    pyogrio.write_dataframe(gj, files["geojson"], driver="GeoJSON", COORDINATE_PRECISION=10)

    # 7. qgis2web export: "var json_ThuaDat_1 = {...};"
    doc = json.loads(files["geojson"].read_text(encoding="utf-8"))
    doc["name"] = "ThuaDat_1"
    files["qgis2web"] = out / "ThuaDat_1.js"
    files["qgis2web"].write_text("var json_ThuaDat_1 = " + json.dumps(doc, ensure_ascii=False) + ";", encoding="utf-8")

    # 8. Esri JSON saved as .json and as .geojson (EPSG:9215 by wkid).
    esri = {"displayFieldName": "", "geometryType": "esriGeometryPolygon", "spatialReference": {"wkid": 9215},
            "fields": [{"name": n, "type": ty, "alias": n} for n, ty in
                       (("SHBANDO", "esriFieldTypeInteger"), ("SHTHUA", "esriFieldTypeInteger"),
                        ("KHLOAIDAT", "esriFieldTypeString"), ("TENCHU", "esriFieldTypeString"))],
            "features": [{"attributes": {"SHBANDO": int(s), "SHTHUA": int(n), "KHLOAIDAT": lu, "TENCHU": o},
                          "geometry": {"rings": [[list(c) for c in list(g.exterior.coords)[::-1]]]}}
                         for s, n, lu, o, g in zip(t["map_sheet"], t["parcel_number"], t["land_use"], t["owner_name"], t.geometry)]}
    files["esrijson"] = out / "thua_esri.json"
    files["esrijson"].write_text(json.dumps(esri, ensure_ascii=False), encoding="utf-8")
    files["esrijson_geojson_name"] = out / "thua_esri.geojson"
    files["esrijson_geojson_name"].write_text(json.dumps(esri, ensure_ascii=False), encoding="utf-8")

    # 9. KML and KMZ (WGS 84).
    kml = gj.rename(columns={"soTo": "SoTo", "soThua": "SoThua", "mucDichSuDung": "LoaiDat", "chuSuDung": "TenChu", "xa": "TenXa"})
    files["kml"] = out / "thua.kml"
    files["kml"].unlink(missing_ok=True)
    pyogrio.write_dataframe(kml, files["kml"], driver="KML")
    files["kmz"] = out / "thua.kmz"
    with zipfile.ZipFile(files["kmz"], "w") as zf:
        zf.write(files["kml"], "doc.kml")

    # 10. DGN V7 (Famis sheet): boundaries as lines, TCVN3 labels "number", "code", "area" inside; plus one
    #     dangling line, one polygon without a label (parcel 12) and one label outside every polygon.
    edges = []
    for g in t.geometry:
        ring = list(g.exterior.coords)
        edges += [LineString([ring[k], ring[k + 1]]) for k in range(len(ring) - 1)]
    noded = list(shapely.get_parts(shapely.line_merge(shapely.union_all(edges))))
    noded.append(LineString([(E0 + 300, N0), (E0 + 330, N0 + 5)]))  # dangle
    labels = []
    for n, lu, _area, g in zip(t["parcel_number"], t["land_use"], t.geometry.area, t.geometry):
        if n == 12:
            continue
        c = g.centroid
        labels.append((str(n).encode("ascii"), c.x - 2, c.y + 3))
        if lu:
            labels.append((lu.encode("ascii"), c.x - 2, c.y))
        labels.append((unicode_to_tcvn3(OWNERS[n - 1]).encode("latin-1"), c.x - 8, c.y - 3))
    labels.append((b"99", E0 + 500, N0 + 500))  # label outside every polygon
    files["dgn"] = write_dgn(out / "to12_famis.dgn", noded, labels)

    # 11. DXF (ezdxf): closed LWPOLYLINEs per parcel, TEXT labels "n\\PLUC" style as separate texts.
    import ezdxf

    dxf = ezdxf.new("R2010")
    msp = dxf.modelspace()
    for n, lu, g in zip(t["parcel_number"], t["land_use"], t.geometry):
        msp.add_lwpolyline(list(g.exterior.coords)[:-1], close=True, dxfattribs={"layer": "RANH_THUA"})
        c = g.centroid
        msp.add_text(str(n), dxfattribs={"layer": "SO_THUA", "height": 1.5}).set_placement((c.x - 1, c.y + 2))
        if lu:
            msp.add_text(lu, dxfattribs={"layer": "LOAI_DAT", "height": 1.5}).set_placement((c.x - 1, c.y - 1))
        msp.add_text(unicode_to_tcvn3(OWNERS[n - 1]), dxfattribs={"layer": "CHU", "height": 1.0}).set_placement((c.x - 6, c.y - 4))
    files["dxf"] = out / "to12.dxf"
    dxf.saveas(files["dxf"])

    # 12. Two sheets of one route in one zip: sheet 12 in EPSG:9215, sheet 13 (shifted north) in EPSG:9210.
    d = out / "two_sheets"
    d.mkdir(exist_ok=True)
    s12 = famis_attributes(t, lambda s: s)
    s13 = famis_attributes(t, lambda s: s)
    s13["SHBANDO"] = "013"
    s13 = s13.set_geometry(s13.geometry.translate(0, 100)).to_crs(9210)
    p12 = _write_shp(s12, d / "to12.shp", prj=True)
    p13 = _write_shp(s13, d / "to13_caobang.shp", prj=True)
    files["two_sheets_zip"] = out / "hai_to.zip"
    with zipfile.ZipFile(files["two_sheets_zip"], "w") as zf:
        for part in _shp_parts(p12) + _shp_parts(p13):
            zf.write(part, f"tuyen/{part.name}")

    # 13. Clearance boundary and alignment files.
    files["boundary_geojson"] = out / "chi_gioi.geojson"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"ten": ["Chỉ giới GPMB"]}, geometry=[BOUNDARY], crs=9215).to_crs(4326),
                            files["boundary_geojson"], driver="GeoJSON", COORDINATE_PRECISION=10)
    files["alignment_shp"] = _write_shp(
        gpd.GeoDataFrame({"ten": ["Tim tuyến"]}, geometry=[LineString([(E0 + 40, N0 - 100), (E0 + 40, N0 + 200)])], crs=9215),
        out / "tim_tuyen.shp", prj=True)
    return {k: str(v) for k, v in files.items()}


def pd_concat(frames):
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("cadastre_fixtures")
    manifest = build_all(target)
    print(json.dumps(manifest, indent=1, ensure_ascii=False))

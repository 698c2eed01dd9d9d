"""Read cadastral files as cadastral offices and designers really send them, without deciding anything.

One function, :func:`read_source`, turns a path into a list of :class:`RawLayer` (attributes and
geometry exactly as stored, plus where the CRS came from). Decisions (CRS, encodings, attribute
mapping, repairs) are made later by the importer, so they are reported in one place.

Formats: Shapefile (loose, or any number inside a ``.zip``; with or without ``.prj``/``.cpg``),
GeoPackage (every vector layer), GeoJSON (also qgis2web ``var json_X = {...};`` exports and Esri JSON
saved as ``.json``/``.geojson``), KML/KMZ (every folder), MicroStation DGN V7 and DXF (CAD: raw
elements, to be turned into polygons by :mod:`cadastre.cad`). Reading is done by GDAL through pyogrio.
"""
from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from domain.errors import GpmbError
from parsing.limits import InputLimitError, check_json_depth, safe_extract_zip

#: File suffixes the importer accepts (lower case).
SUPPORTED_SUFFIXES = (".shp", ".zip", ".gpkg", ".geojson", ".json", ".js", ".kml", ".kmz", ".dgn", ".dxf")


class ReadError(GpmbError, ValueError):
    """A file could not be read (Vietnamese message naming the file)."""


@dataclass
class RawLayer:
    """One layer as read.

    Attributes
    ----------
    file : str
        File name shown to the user (``"tuyen.zip:to12.shp"`` for a member of a zip).
    layer : str
        Layer name inside the file.
    format : str
        ``shapefile`` | ``geopackage`` | ``geojson`` | ``qgis2web`` | ``esrijson`` | ``kml`` | ``dgn`` | ``dxf``.
    gdf : GeoDataFrame
        Attributes and geometry as stored; ``crs`` is None here, the declared CRS is in ``crs_text``.
    crs_text : str or None
        The CRS declared by the file (``.prj`` text, WKT, ``EPSG:4326`` for KML/GeoJSON by spec), or
        None if the file declares none.
    crs_note : str
        Where ``crs_text`` came from (Vietnamese).
    has_cpg : bool or None
        For shapefiles: whether a ``.cpg`` told the text encoding.
    is_cad : bool
        True for DGN/DXF: raw line work and text elements, not parcels yet.
    """

    file: str
    layer: str
    format: str
    gdf: gpd.GeoDataFrame
    crs_text: str | None
    crs_note: str
    has_cpg: bool | None = None
    is_cad: bool = False
    notes: list = field(default_factory=list)


def _crs_text_of(path: str, layer=None) -> str | None:
    info = pyogrio.read_info(path, layer=layer)
    return info.get("crs")


def _strip_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is not None:
        gdf = gdf.set_crs(None, allow_override=True)
    return gdf


def _read(path: str, label: str, **kwargs) -> gpd.GeoDataFrame:
    try:
        return pyogrio.read_dataframe(path, **kwargs)
    except Exception as exc:  # pyogrio.errors.DataSourceError and friends
        raise ReadError(f"Không đọc được tệp {label}: {exc}") from exc


def _decode_cp1258(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Decode text columns and column names read as Latin-1 from Windows-1258 bytes, NFC-normalised."""
    import unicodedata

    def fix(value):
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value.encode("latin-1").decode("cp1258", errors="replace"))
        return value

    out = gdf.copy()
    for col in out.columns:
        if col != "geometry" and (out[col].dtype == object or str(out[col].dtype).startswith("str")):
            out[col] = [fix(v) for v in out[col]]
    return out.rename(columns={c: fix(c) for c in out.columns if c != "geometry"})


def _read_shapefile(path: Path, label: str) -> list[RawLayer]:
    prj = path.with_suffix(".prj") if path.with_suffix(".prj").exists() else path.with_suffix(".PRJ")
    cpg = path.with_suffix(".cpg") if path.with_suffix(".cpg").exists() else path.with_suffix(".CPG")
    has_cpg = cpg.exists()
    notes = []
    kwargs = {}
    cpg_text = cpg.read_text(encoding="ascii", errors="replace").strip().upper() if has_cpg else ""
    cp1258 = cpg_text.replace("CP", "").replace("WINDOWS-", "").replace("ANSI ", "") == "1258"
    if cp1258:
        # GDAL recodes CP1258 through iconv, whose decoder holds back the last character of every
        # string (a tone mark might follow): "Nguyễn Văn An" comes back as "Nguyễn Văn A". Read the
        # bytes and decode them here instead.
        kwargs["encoding"] = "latin1"
        notes.append("Tệp .cpg khai báo Windows-1258: văn bản được giải mã cp1258 rồi chuẩn hóa NFC.")
    elif not has_cpg:
        # No .cpg: GDAL would trust the DBF language byte; read bytes as Latin-1 so legacy TCVN3/VNI
        # bytes survive unchanged and are decoded by cadastre.encoding.
        kwargs["encoding"] = "latin1"
        notes.append("Không có tệp .cpg: văn bản được đọc từng byte rồi tự nhận dạng bảng mã theo từng cột.")
    gdf = _read(str(path), label, **kwargs)
    if cp1258:
        gdf = _decode_cp1258(gdf)
    crs_text = prj.read_text(encoding="latin-1").strip() if prj.exists() else None
    return [RawLayer(label, path.stem, "shapefile", _strip_crs(gdf), crs_text or None,
                     ".prj" if crs_text else "không có .prj", has_cpg=has_cpg, notes=notes)]


def _read_multi(path: Path, label: str, fmt: str, spec_crs: str | None = None, **kwargs) -> list[RawLayer]:
    layers = []
    try:
        listed = pyogrio.list_layers(str(path))
    except Exception as exc:
        raise ReadError(f"Không đọc được tệp {label}: {exc}") from exc
    for name, geom_type in listed:
        if geom_type is None:
            continue
        gdf = _read(str(path), label, layer=name, **kwargs)
        if gdf.empty:
            continue
        crs_text = spec_crs or _crs_text_of(str(path), layer=name)
        note = "theo quy định của định dạng (KML luôn là WGS 84)" if spec_crs else ("khai báo trong tệp" if crs_text else "tệp không khai báo")
        layers.append(RawLayer(label, name, fmt, _strip_crs(gdf), crs_text, note))
    return layers


_QGIS2WEB_RE = re.compile(r"^\s*var\s+[\w$]+\s*=\s*", re.S)


def _read_json_like(path: Path, label: str, workdir: Path) -> list[RawLayer]:
    try:
        check_json_depth(path)  # before any parse: a 200 000-deep file must not reach the JSON parser
    except InputLimitError as exc:
        raise ReadError(f"Tệp {label}: {exc.message_vi}") from exc
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    fmt = "geojson"
    if _QGIS2WEB_RE.match(text):
        fmt = "qgis2web"
        text = _QGIS2WEB_RE.sub("", text, count=1).strip().rstrip(";").strip()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(f"Tệp {label} không phải JSON hợp lệ (dòng {exc.lineno}): {exc.msg}") from exc
    if isinstance(doc, dict) and ("geometryType" in doc or "spatialReference" in doc) and "features" in doc:
        fmt = "esrijson"
    target = workdir / f"{path.stem}.{'json' if fmt == 'esrijson' else 'geojson'}"
    target.write_text(json.dumps(doc), encoding="utf-8")
    gdf = _read(str(target), label)
    crs_text = None
    note = "tệp không khai báo"
    if fmt == "esrijson":
        sr = doc.get("spatialReference") or {}
        wkid = sr.get("latestWkid") or sr.get("wkid")
        if wkid:
            crs_text, note = f"EPSG:{wkid}", "spatialReference của Esri JSON"
        elif sr.get("wkt"):
            crs_text, note = sr["wkt"], "spatialReference của Esri JSON"
    else:
        named = ((doc.get("crs") or {}).get("properties") or {}).get("name") if isinstance(doc, dict) else None
        if named:
            crs_text, note = named, "thành phần crs của GeoJSON"
        else:
            # RFC 7946: GeoJSON without a crs member is WGS 84 lon/lat; checked against the coordinates later.
            crs_text, note = "EPSG:4326", "GeoJSON không có crs → WGS 84 theo RFC 7946"
    return [RawLayer(label, path.stem, fmt, _strip_crs(gdf), crs_text, note)]


def _dxf_is_unicode(path: Path) -> bool:
    """True for DXF R2007+ (``$ACADVER`` ≥ AC1021), whose text is UTF-8 whatever ``$DWGCODEPAGE`` says."""
    with path.open("rb") as fh:
        head = fh.read(4096).decode("latin-1")
    m = re.search(r"\$ACADVER\s*\r?\n\s*1\s*\r?\n\s*AC(\d{4})", head)
    return bool(m and int(m.group(1)) >= 1021)


def _read_cad(path: Path, label: str, fmt: str) -> list[RawLayer]:
    kwargs = {"encoding": "latin1"} if fmt == "dgn" else {}
    if fmt == "dxf" and _dxf_is_unicode(path):
        previous = pyogrio.get_gdal_config_option("DXF_ENCODING")
        pyogrio.set_gdal_config_options({"DXF_ENCODING": "UTF-8"})
        try:
            gdf = _read(str(path), label)
        finally:
            pyogrio.set_gdal_config_options({"DXF_ENCODING": previous})
    else:
        gdf = _read(str(path), label, **kwargs)
    crs_text = _crs_text_of(str(path))
    return [RawLayer(label, path.stem, fmt, _strip_crs(gdf), crs_text,
                     "khai báo trong tệp" if crs_text else "tệp CAD không khai báo hệ tọa độ", is_cad=True)]


def _extract_zip(path: Path, target: Path, label: str) -> Path:
    """Extract the zip (or KMZ) ``path`` into ``target`` within :data:`parsing.limits.DEFAULT_LIMITS`
    (total size, ratio, member count and names checked before and while writing).

    Raises
    ------
    ReadError
        A broken archive or one over a limit; the message names the file and the limit.
    """
    try:
        safe_extract_zip(path, target)
    except InputLimitError as exc:
        raise ReadError(f"Tệp {label}: {exc.message_vi}") from exc
    return target


def _read_path(path: Path, label: str, workdir: Path) -> list[RawLayer]:
    suffix = path.suffix.lower()
    if suffix == ".shp":
        return _read_shapefile(path, label)
    if suffix == ".gpkg":
        return _read_multi(path, label, "geopackage")
    if suffix in (".geojson", ".json", ".js"):
        return _read_json_like(path, label, workdir)
    if suffix == ".kml":
        return _read_multi(path, label, "kml", spec_crs="EPSG:4326")
    if suffix == ".kmz":
        # A KMZ is a zip whose main .kml holds the placemarks; GDAL's LIBKML loses SchemaData
        # attributes when reading through the zip, so the .kml is read after extraction.
        target = _extract_zip(path, workdir / f"kmz_{path.stem}", label)
        kmls = sorted(target.rglob("*.kml"), key=lambda p: (p.name != "doc.kml", str(p)))
        if not kmls:
            raise ReadError(f"Tệp {label} không chứa tệp .kml nào.")
        return _read_multi(kmls[0], label, "kml", spec_crs="EPSG:4326")
    if suffix == ".dgn":
        return _read_cad(path, label, "dgn")
    if suffix == ".dxf":
        return _read_cad(path, label, "dxf")
    if suffix == ".zip":
        target = _extract_zip(path, workdir / f"zip_{path.stem}", label)
        layers: list[RawLayer] = []
        for member in sorted(target.rglob("*")):
            if member.is_file() and member.suffix.lower() in SUPPORTED_SUFFIXES and member.suffix.lower() != ".zip":
                rel = member.relative_to(target).as_posix()
                layers.extend(_read_path(member, f"{label}:{rel}", workdir))
        if not layers:
            raise ReadError(f"Tệp {label} không chứa lớp dữ liệu nào đọc được ({', '.join(SUPPORTED_SUFFIXES)}).")
        return layers
    raise ReadError(f"Định dạng {suffix or '(không có đuôi)'} của tệp {label} chưa được hỗ trợ; "
                    f"dùng một trong: {', '.join(SUPPORTED_SUFFIXES)}.")


def read_source(path: str | Path, *, display_name: str | None = None) -> list[RawLayer]:
    """Read every vector layer of one file.

    Parameters
    ----------
    path : str or Path
        The file. A ``.shp`` needs its ``.shx``/``.dbf`` beside it; a ``.zip`` may hold several
        shapefiles (map sheets) and other supported files.
    display_name : str, optional
        Name shown in messages (an upload's original name); default: the file name.

    Returns
    -------
    list of RawLayer
        Non-empty layers with geometry, attributes untouched, ``gdf.crs`` None.

    Raises
    ------
    ReadError
        Unsupported suffix, unreadable file, invalid JSON, empty zip (Vietnamese message naming the file).
    """
    path = Path(path)
    if not path.exists():
        raise ReadError(f"Không tìm thấy tệp {path.name}.")
    label = display_name or path.name
    with tempfile.TemporaryDirectory(prefix="gpmb_import_") as tmp:
        layers = _read_path(path, label, Path(tmp))
        for layer in layers:  # materialise before the temporary directory goes
            layer.gdf = gpd.GeoDataFrame(pd.DataFrame(layer.gdf).copy(), geometry="geometry")
    return [layer for layer in layers if len(layer.gdf)]

"""Builders of hostile input files for tests (issue 9, "hostile input stays inert").

Every builder writes a real file into the given folder (a pytest ``tmp_path``) and returns its path.
Bombs are written streaming, in 1 MiB chunks, so that building a 2 GiB bomb holds no 2 GiB in memory:

- :func:`zip_bomb` (2 GiB of zeros in ~2 MB), :func:`kmz_bomb` (a 1 GiB ``doc.kml``),
  :func:`lying_zip` (a member whose directory entry claims fewer bytes than it holds),
  :func:`unsafe_name_zip` (``../evil``, ``/abs``, NUL, ``C:\\``), :func:`many_members_zip`;
- :func:`xlsx_shared_strings_bomb`, :func:`xlsx_declared_cells_bomb` (16 million cells declared),
  :func:`xlsx_undeclared_cells` (real cells, no ``<dimension>``);
- :func:`deep_geojson` (200 000 levels);
- legitimate files of the same kinds: :func:`normal_xlsx`, :func:`normal_zipped_shapefile`,
  :func:`normal_geojson`;
- :data:`MARKUP_STRINGS`: text that must stay text in every field and file or member name
  (HTML/script, Markdown images and links, spreadsheet formulas, terminal escapes, bidi overrides).
"""
from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

MiB = 1024 * 1024
GiB = 1024 * MiB

#: Values to put in any text field, file name or member name; each must render as the literal text.
MARKUP_STRINGS: list[str] = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(document.domain)</script>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "![](http://example.invalid/x.png)",
    "[bấm vào đây](http://example.invalid/)",
    "**đậm** _nghiêng_ `mã` <b>b</b>",
    '=HYPERLINK("http://example.invalid/","Xem")',
    "=1+1",
    "+SUM(A1:A9)",
    "@cmd",
    "\x1b[2J\x1b[31mĐỎ\x1b[0m",
    "\x1b]0;tiêu đề giả\x07",
    "Thửa\u202egnp.exe",
    "a\rb\nc\td",
    "${7*7}{{7*7}}",
]

#: Characters that cannot be in a file name on Linux (for member names built from MARKUP_STRINGS).
_NOT_IN_FILE_NAMES = str.maketrans({"/": "_", "\0": "_"})

_KML_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n'
             b"<!-- ")
_KML_TAIL = b" --></Document></kml>\n"


# -------------------------------------------------------------------------------------------- zips
def zip_bomb(directory: Path, uncompressed_bytes: int = 2 * GiB, name: str = "bomb.zip",
             member: str = "zeros.bin") -> Path:
    """A zip holding one member of ``uncompressed_bytes`` zeros, deflated ~1000× (2 GiB → ~2 MB)."""
    path = Path(directory) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _write_zeros(archive, member, uncompressed_bytes)
    return path


def kmz_bomb(directory: Path, uncompressed_bytes: int = 1 * GiB, name: str = "bomb.kmz") -> Path:
    """A KMZ whose ``doc.kml`` is a valid KML document padded with a comment of zeros to the given size."""
    path = Path(directory) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _write_zeros(archive, "doc.kml", uncompressed_bytes, head=_KML_HEAD, tail=_KML_TAIL)
    return path


def lying_zip(directory: Path, real_bytes: int = 8 * MiB, declared_bytes: int = 1024,
              name: str = "lying.zip") -> Path:
    """A zip whose member holds ``real_bytes`` zeros while both its local header and its central
    directory entry declare ``declared_bytes`` (the CRC is that of the real data)."""
    path = Path(directory) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_zeros(archive, "zeros.bin", real_bytes)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.infolist()[0]
    local = info.header_offset
    central = data.rfind(b"PK\x01\x02")
    data[local + 22:local + 26] = declared_bytes.to_bytes(4, "little")    # local header: uncompressed size
    data[central + 24:central + 28] = declared_bytes.to_bytes(4, "little")  # central directory: same field
    path.write_bytes(bytes(data))
    return path


def unsafe_name_zip(directory: Path, member: str, name: str = "unsafe.zip") -> Path:
    """A zip with one small member named ``member`` verbatim (``../evil``, ``/abs``, ``C:\\x``, NUL…)."""
    path = Path(directory) / name
    placeholder = "N" * len(member.encode("utf-8"))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(placeholder)
        info.flag_bits |= 0x800  # UTF-8 name
        archive.writestr(info, b"evil")
    # zipfile normalises names on write ('/abs' → 'abs', NUL cut): patch the raw bytes of both headers.
    data = path.read_bytes().replace(placeholder.encode("ascii"), member.encode("utf-8"))
    path.write_bytes(data)
    return path


def many_members_zip(directory: Path, members: int = 10_001, name: str = "many.zip") -> Path:
    """A zip of ``members`` empty files (a directory bomb: each entry costs zipfile a ZipInfo)."""
    path = Path(directory) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for number in range(members):
            archive.writestr(f"f{number}", b"")
    return path


def markup_named_zip(directory: Path, name: str = "markup.zip") -> Path:
    """A zip whose members are named after :data:`MARKUP_STRINGS` (``.txt``), each holding its string."""
    path = Path(directory) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, text in enumerate(MARKUP_STRINGS):
            archive.writestr(f"{number:02d}_{text.translate(_NOT_IN_FILE_NAMES)}.txt", text.encode("utf-8"))
    return path


def _write_zeros(archive: zipfile.ZipFile, member: str, size: int, head: bytes = b"", tail: bytes = b"") -> None:
    """Write ``head`` + zeros + ``tail`` (``size`` bytes in all) as one member, 1 MiB at a time."""
    chunk = bytes(MiB)
    zeros = size - len(head) - len(tail)
    with archive.open(member, "w", force_zip64=size > 0x7FFFFFFF) as sink:
        _deflate_zeros_fast(sink)
        sink.write(head)
        for _ in range(zeros // MiB):
            sink.write(chunk)
        sink.write(bytes(zeros % MiB) + tail)


def _deflate_zeros_fast(sink) -> None:
    """Make the member's compressor emit one precomputed deflate block per 1 MiB of zeros.

    Deflating 2 GiB of zeros at level 9 takes ~12 s; after a full flush a deflate stream restarts with
    an empty dictionary, so the block for one MiB of zeros can be repeated verbatim. ``zipfile`` still
    computes the CRC and sizes of the real data. If the private attribute is gone, compression is real.
    """
    compressor = getattr(sink, "_compressor", None)
    if compressor is None or not hasattr(compressor, "compress"):
        return
    sink._compressor = _RepeatingDeflate(compressor)


class _RepeatingDeflate:
    def __init__(self, real) -> None:
        self._real = real
        fresh = zlib.compressobj(9, zlib.DEFLATED, -15)
        self._block = fresh.compress(bytes(MiB)) + fresh.flush(zlib.Z_FULL_FLUSH)

    def compress(self, data: bytes) -> bytes:
        if len(data) == MiB and not any(data[:: 4096]) and data.count(0) == MiB:
            return self._real.flush(zlib.Z_FULL_FLUSH) + self._block
        return self._real.compress(data)

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        return self._real.flush(mode)


# -------------------------------------------------------------------------------------------- XLSX
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>")
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>")
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>")
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def xlsx_shared_strings_bomb(directory: Path, shared_strings_bytes: int = 300 * MiB,
                             name: str = "shared_strings_bomb.xlsx") -> Path:
    """An XLSX whose ``xl/sharedStrings.xml`` holds ~``shared_strings_bytes`` of strings (one cell uses one)."""
    item = "<si><t>" + "Nguyễn Văn A – " * 64 + "</t></si>"
    block = (item * (MiB // len(item.encode("utf-8")))).encode("utf-8")
    sheet = _SHEET_HEAD + '<dimension ref="A1"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    path = Path(directory) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_package(archive, sheet)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as sink:
            sink.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for _ in range(max(1, shared_strings_bytes // len(block))):
                sink.write(block)
            sink.write(b"</sst>")
    return path


def xlsx_declared_cells_bomb(directory: Path, last_cell: str = "P1000000", name: str = "cells_bomb.xlsx") -> Path:
    """An XLSX whose sheet declares ``<dimension ref="A1:P1000000">`` (16 million cells) over a few real
    rows: read-only openpyxl pads every row to the declared width and height."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 4))
    sheet = _SHEET_HEAD + f'<dimension ref="A1:{last_cell}"/><sheetData>{rows}</sheetData></worksheet>'
    path = Path(directory) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_package(archive, sheet)
    return path


def xlsx_undeclared_cells(directory: Path, rows: int, columns: int = 10, dimension: str | None = None,
                          name: str = "undeclared.xlsx") -> Path:
    """An XLSX of ``rows`` × ``columns`` numeric cells, with no ``<dimension>`` (or the given, lying one)."""
    path = Path(directory) / name
    letters = [chr(ord("A") + c) for c in range(columns)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_package(archive, None)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sink:
            sink.write(_SHEET_HEAD.encode())
            if dimension:
                sink.write(f'<dimension ref="{dimension}"/>'.encode())
            sink.write(b"<sheetData>")
            batch: list[str] = []
            for r in range(1, rows + 1):
                batch.append(f'<row r="{r}">' + "".join(f'<c r="{x}{r}"><v>{r}</v></c>' for x in letters) + "</row>")
                if len(batch) == 10_000:
                    sink.write("".join(batch).encode())
                    batch.clear()
            sink.write(("".join(batch) + "</sheetData></worksheet>").encode())
    return path


def _write_package(archive: zipfile.ZipFile, sheet: str | None) -> None:
    archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
    archive.writestr("_rels/.rels", _ROOT_RELS)
    archive.writestr("xl/workbook.xml", _WORKBOOK)
    archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
    if sheet is not None:
        archive.writestr("xl/worksheets/sheet1.xml", sheet)


def normal_xlsx(directory: Path, rows: int = 10_000, name: str = "normal.xlsx") -> Path:
    """A field-count-like workbook of ``rows`` data rows written by openpyxl (strings, numbers, dates)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Kiểm đếm")
    sheet.append(["Xã", "Tờ bản đồ", "Số thửa", "Diện tích (m²)", "Chủ sử dụng", "Ghi chú"])
    for r in range(rows):
        sheet.append([f"Xã Hợp Thành {r % 7}", r % 40 + 1, r + 1, 120.5 + r, f"Nguyễn Văn {r}", MARKUP_STRINGS[r % 3]])
    path = Path(directory) / name
    workbook.save(path)
    return path


# ----------------------------------------------------------------------------------------- GeoJSON
def deep_geojson(directory: Path, depth: int = 200_000, name: str = "deep.geojson") -> Path:
    """A GeoJSON Feature whose ``properties`` value nests ``depth`` arrays (valid JSON, deadly to recursion)."""
    path = Path(directory) / name
    with path.open("wb") as sink:
        sink.write(b'{"type": "Feature", "geometry": null, "properties": {"x": ')
        sink.write(b"[" * depth + b"]" * depth)
        sink.write(b"}}")
    return path


def normal_geojson(directory: Path, features: int = 200, name: str = "normal.geojson") -> Path:
    """A FeatureCollection of small square parcels in WGS 84, with markup in the text properties."""
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature",
         "properties": {"so_thua": n + 1, "chu_su_dung": MARKUP_STRINGS[n % len(MARKUP_STRINGS)], "ghi_chu": "[{\"]}"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[[
             [105.8 + n * 1e-4, 21.0], [105.8001 + n * 1e-4, 21.0], [105.8001 + n * 1e-4, 21.0001],
             [105.8 + n * 1e-4, 21.0]]]]}}
        for n in range(features)]}
    path = Path(directory) / name
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def normal_zipped_shapefile(directory: Path, parcels: int = 50, name: str = "to_ban_do_12.zip") -> Path:
    """A zip of one shapefile (``.shp .shx .dbf .prj .cpg``) of square parcels in VN-2000 (EPSG:9215)."""
    import geopandas as gpd
    from shapely.geometry import box

    frame = gpd.GeoDataFrame(
        {"SoThua": list(range(1, parcels + 1)), "ChuSuDung": [MARKUP_STRINGS[n % 3] for n in range(parcels)]},
        geometry=[box(580_000 + 20 * n, 2_330_000, 580_015 + 20 * n, 2_330_015) for n in range(parcels)],
        crs="EPSG:9215")
    folder = Path(directory) / "shp"
    folder.mkdir(exist_ok=True)
    frame.to_file(folder / "thua_dat.shp", encoding="utf-8")
    path = Path(directory) / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, f"to_ban_do_12/{part.name}")
    return path


# ------------------------------------------------------------------- parse steps for the time limit
def slow_parse(seconds: float) -> str:
    """A stand-in for a parse step that hangs (module level, so that a worker process can import it)."""
    import time

    time.sleep(seconds)
    return "xong"


def greedy_parse(size_bytes: int) -> int:
    """A stand-in for a parse step that swells: touches ``size_bytes`` of memory."""
    block = bytearray(size_bytes)
    return len(block)


def failing_parse(message_vi: str) -> None:
    """A stand-in for a parse step that refuses its input."""
    from domain.errors import GpmbError

    raise GpmbError(message_vi)


def crashing_parse(exit_code: int) -> None:
    """A stand-in for a parse step whose process dies (a crash in C code, the OOM killer)."""
    import os

    os._exit(exit_code)

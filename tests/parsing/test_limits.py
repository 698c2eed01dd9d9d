"""Tests of parsing.limits: every bomb is refused before it expands, in Vietnamese naming the limit;
legitimate files pass; the JSON depth scanner agrees with a parser; the time limit kills a hung step."""
from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path, PurePosixPath

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.errors import GpmbError
from parsing.limits import (
    DEFAULT_LIMITS,
    GiB,
    InputLimitError,
    MiB,
    check_json_depth,
    check_xlsx,
    check_zip,
    copy_bounded,
    escape_name,
    fmt_bytes,
    json_depth,
    run_with_time_limit,
    safe_extract_zip,
)
from tests.support import hostile

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    """The bombs of issue 9, built once (2 GiB zip ≈ 2 MB, 1 GiB KMZ ≈ 1 MB: a few seconds)."""
    folder = tmp_path_factory.mktemp("bombs")
    return {
        "zip": hostile.zip_bomb(folder),
        "kmz": hostile.kmz_bomb(folder),
        "shared_strings": hostile.xlsx_shared_strings_bomb(folder),
        "cells": hostile.xlsx_declared_cells_bomb(folder),
        "deep": hostile.deep_geojson(folder),
        "many": hostile.many_members_zip(folder),
    }


# ------------------------------------------------------------------------------------ the fixtures
def test_bombs_are_what_they_claim(bombs):
    with zipfile.ZipFile(bombs["zip"]) as archive:
        assert archive.getinfo("zeros.bin").file_size == 2 * GiB
    assert bombs["zip"].stat().st_size < 3 * MiB
    with zipfile.ZipFile(bombs["kmz"]) as archive:
        assert archive.getinfo("doc.kml").file_size == 1 * GiB
    assert bombs["kmz"].stat().st_size < 2 * MiB
    with zipfile.ZipFile(bombs["shared_strings"]) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size > 200 * MiB
    assert bombs["deep"].read_bytes().count(b"[") == 200_000


def test_fast_zero_deflate_is_a_valid_stream(tmp_path):
    path = hostile.zip_bomb(tmp_path, 5 * MiB + 17)
    with zipfile.ZipFile(path) as archive:  # reading to the end checks the CRC
        data = archive.read("zeros.bin")
    assert len(data) == 5 * MiB + 17 and not any(data)
    kmz = hostile.kmz_bomb(tmp_path, 3 * MiB, name="small.kmz")
    with zipfile.ZipFile(kmz) as archive:
        kml = archive.read("doc.kml")
    assert kml.startswith(b"<?xml") and kml.endswith(b"</kml>\n") and len(kml) == 3 * MiB


def test_normal_xlsx_is_readable_by_openpyxl(tmp_path):
    workbook = openpyxl.load_workbook(hostile.normal_xlsx(tmp_path, rows=50), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert len(rows) == 51 and rows[1][4] == "Nguyễn Văn 0"


# -------------------------------------------------------------------------------------------- zip
def test_zip_bomb_refused_naming_the_total_limit(bombs):
    with pytest.raises(InputLimitError) as refused:
        check_zip(bombs["zip"])
    assert refused.value.message_vi == "Tệp nén giải nén ra 2 GiB, vượt giới hạn 512 MiB."
    assert refused.value.exit_code == 1 and isinstance(refused.value, GpmbError)


def test_kmz_bomb_refused_before_extraction(bombs, tmp_path):
    with pytest.raises(InputLimitError, match="1 GiB, vượt giới hạn 512 MiB"):
        safe_extract_zip(bombs["kmz"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_ratio_limit_per_member(tmp_path):
    path = hostile.zip_bomb(tmp_path, 64 * MiB)  # under the total limit, ~1000×
    with pytest.raises(InputLimitError, match=r"Tỷ lệ nén của tệp con «zeros.bin» là [\d.]+×.*vượt giới hạn 100×"):
        check_zip(path)
    relaxed = dataclasses.replace(DEFAULT_LIMITS, zip_ratio=5000)
    assert [info.filename for info in check_zip(path, relaxed)] == ["zeros.bin"]


def test_ratio_limit_overall(tmp_path):
    path = tmp_path / "many_small.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(8):  # each member under zip_ratio_min_bytes, together far over the ratio
            archive.writestr(f"z{number}.bin", bytes(512 * 1024))
    with pytest.raises(InputLimitError, match="Tỷ lệ nén của cả tệp nén"):
        check_zip(path)


def test_member_count_refused(bombs):
    with pytest.raises(InputLimitError) as refused:
        check_zip(bombs["many"])
    assert refused.value.message_vi == "Tệp nén chứa 10.001 tệp con, vượt giới hạn 10.000 tệp."


def test_member_count_refused_when_the_end_record_understates_it(tmp_path):
    path = hostile.many_members_zip(tmp_path)
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = (1).to_bytes(2, "little") * 2  # entries on this disk, entries in all
    path.write_bytes(bytes(data))
    with pytest.raises(InputLimitError, match=r"chứa 10\.001 tệp con"):
        check_zip(path)


def test_central_directory_size_refused(bombs):
    limits = dataclasses.replace(DEFAULT_LIMITS, zip_members=10**9, zip_directory_bytes=100 * 1024)
    with pytest.raises(InputLimitError, match=r"Danh mục tệp con của tệp nén dài [\d,]+ KiB, vượt giới hạn 100 KiB"):
        check_zip(bombs["many"], limits)


@pytest.mark.parametrize(("member", "shown", "problem"), [
    ("../evil", "../evil", "'..'"),
    ("maps/../../evil.shp", "maps/../../evil.shp", "'..'"),
    ("..\\evil", "..\\evil", "'..'"),
    ("/abs/evil", "/abs/evil", "tuyệt đối"),
    ("\\abs", "\\abs", "tuyệt đối"),
    ("C:/Windows/evil", "C:/Windows/evil", "tuyệt đối"),
    ("a\0b.shp", "a\\x00b.shp", "NUL"),
])
def test_unsafe_member_names_refused_and_shown_escaped(tmp_path, member, shown, problem):
    path = hostile.unsafe_name_zip(tmp_path, member)
    with pytest.raises(InputLimitError) as refused:
        safe_extract_zip(path, tmp_path / "out")
    assert f"«{shown}»" in refused.value.message_vi and problem in refused.value.message_vi
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil").exists()


def test_markup_member_names_are_extracted_as_plain_files(tmp_path):
    written = safe_extract_zip(hostile.markup_named_zip(tmp_path), tmp_path / "out")
    assert len(written) == len(hostile.MARKUP_STRINGS)
    assert all(path.parent == (tmp_path / "out").resolve() for path in written)
    assert written[0].read_text(encoding="utf-8") == "<img src=x onerror=alert(1)>"


def test_lying_header_does_not_yield_more_than_declared(tmp_path):
    path = hostile.lying_zip(tmp_path, real_bytes=8 * MiB, declared_bytes=1024)
    assert [info.file_size for info in check_zip(path)] == [1024]  # the directory alone looks harmless
    with pytest.raises(InputLimitError, match="kích thước khai báo sai"):
        safe_extract_zip(path, tmp_path / "out")
    assert (tmp_path / "out" / "zeros.bin").stat().st_size <= 1024


def test_copy_bounded_stops_at_the_limit_whatever_the_source_says():
    sink = io.BytesIO()
    assert copy_bounded(io.BytesIO(bytes(10_000)), sink, 4096, chunk_bytes=1000) is None
    assert len(sink.getvalue()) <= 4096
    sink = io.BytesIO()
    assert copy_bounded(io.BytesIO(b"x" * 4096), sink, 4096, chunk_bytes=1000) == 4096
    assert sink.getvalue() == b"x" * 4096


def test_extraction_counts_written_bytes_against_the_total(tmp_path, monkeypatch):
    # Pretend the directory passed the checks; extraction itself must still stop at the total.
    path = hostile.zip_bomb(tmp_path, 3 * MiB)
    limits = dataclasses.replace(DEFAULT_LIMITS, zip_total_bytes=2 * MiB, zip_ratio=10_000)
    monkeypatch.setattr("parsing.limits.archive.check_sizes", lambda infos, limits: None)
    with pytest.raises(InputLimitError, match="giải nén ra hơn 2 MiB, vượt giới hạn 2 MiB"):
        safe_extract_zip(path, tmp_path / "out", limits)
    assert (tmp_path / "out" / "zeros.bin").stat().st_size <= 2 * MiB


def test_extraction_counts_written_bytes_against_the_ratio(tmp_path, monkeypatch):
    path = hostile.zip_bomb(tmp_path, 8 * MiB)  # ~1000×
    monkeypatch.setattr("parsing.limits.archive.check_sizes", lambda infos, limits: None)
    with pytest.raises(InputLimitError, match=r"«zeros\.bin» giải nén ra hơn .* tỷ lệ nén vượt giới hạn 100×"):
        safe_extract_zip(path, tmp_path / "out")
    assert (tmp_path / "out" / "zeros.bin").stat().st_size < 2 * MiB


def test_normal_zipped_shapefile_passes_and_extracts(tmp_path):
    written = safe_extract_zip(hostile.normal_zipped_shapefile(tmp_path), tmp_path / "out")
    assert sorted(path.suffix for path in written) == [".cpg", ".dbf", ".prj", ".shp", ".shx"]
    import geopandas as gpd

    frame = gpd.read_file(next(path for path in written if path.suffix == ".shp"))
    assert len(frame) == 50 and frame.crs.to_epsg() == 9215


def test_every_cadastral_test_file_passes(tmp_path):
    """The files the cadastre tests import (zipped map sheets, KMZ, GeoJSON, qgis2web, Esri JSON) pass."""
    from tests.cadastre import make_fixtures

    files = {kind: Path(path) for kind, path in make_fixtures.build_all(tmp_path).items()}
    archives = [path for path in files.values() if path.suffix in (".zip", ".kmz")]
    texts = [path for path in files.values() if path.suffix in (".geojson", ".json", ".js")]
    assert len(archives) == 3 and len(texts) == 5
    for path in archives:
        assert safe_extract_zip(path, tmp_path / "out" / path.name)
    for path in texts:
        check_json_depth(path)


def test_every_good_ingest_workbook_passes():
    corpus = sorted((REPO / "tests" / "ingest" / "corpus").glob("*.xlsx"))
    for path in corpus:
        if path.name == "bad_old_xls_renamed.xlsx":  # an .xls renamed: not a zip at all
            with pytest.raises(InputLimitError, match="bị hỏng hoặc không phải tệp zip"):
                check_xlsx(path)
        else:
            check_xlsx(path)
    assert len(corpus) == 4


def test_normal_kmz_passes(tmp_path):
    kml = hostile._KML_HEAD.replace(b"<!-- ", b"") + b"<Placemark><name>Th\xe1\xbb\xada 12</name></Placemark></Document></kml>"
    path = tmp_path / "thua.kmz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", kml)
        archive.writestr("files/anh.png", bytes(range(256)) * 64)
    written = safe_extract_zip(path, tmp_path / "out")
    assert [p.relative_to((tmp_path / "out").resolve()).as_posix() for p in written] == ["doc.kml", "files/anh.png"]
    assert written[0].read_bytes() == kml


def test_not_a_zip_refused_in_vietnamese(tmp_path):
    with pytest.raises(InputLimitError, match="bị hỏng hoặc không phải tệp zip"):
        check_zip(b"PK\x03\x04 this is not a zip at all")


# ------------------------------------------------------------------------------------------- XLSX
def test_shared_strings_bomb_refused_naming_its_limit(bombs):
    with pytest.raises(InputLimitError) as refused:
        check_xlsx(bombs["shared_strings"])
    assert "sharedStrings" in refused.value.message_vi and "vượt giới hạn 64 MiB" in refused.value.message_vi


def test_declared_cells_bomb_refused(bombs):
    with pytest.raises(InputLimitError) as refused:
        check_xlsx(bombs["cells"].read_bytes())
    assert refused.value.message_vi.startswith("Trang tính sheet1 của tệp XLSX khai báo 16.000.000 ô, "
                                               "vượt giới hạn 8.000.000 ô.")


@pytest.mark.parametrize("dimension", [None, "A1", "A1:B2"])
def test_cells_counted_when_the_dimension_is_missing_or_lies(tmp_path, dimension):
    path = hostile.xlsx_undeclared_cells(tmp_path, rows=3_000, columns=10, dimension=dimension)
    with pytest.raises(InputLimitError, match=r"chứa [\d.]+ ô, vượt giới hạn 20.000 ô"):
        check_xlsx(path, dataclasses.replace(DEFAULT_LIMITS, xlsx_cells=20_000))
    check_xlsx(path, dataclasses.replace(DEFAULT_LIMITS, xlsx_cells=30_000))  # exactly 30 000 cells: passes


def test_sparse_rows_count_up_to_the_last_row_number(tmp_path):
    # read-only openpyxl pads rows up to the dimension's width: 2 real cells at rows 1 and 50 000 of A:J
    sheet = (hostile._SHEET_HEAD + '<dimension ref="A1:J1"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
             '<row r="50000"><c r="A50000"><v>2</v></c></row></sheetData></worksheet>')
    path = tmp_path / "sparse.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        hostile._write_package(archive, sheet)
    with pytest.raises(InputLimitError, match=r"chứa 500\.000 ô"):
        check_xlsx(path, dataclasses.replace(DEFAULT_LIMITS, xlsx_cells=100_000))


def test_normal_xlsx_of_10000_rows_passes(tmp_path):
    path = hostile.normal_xlsx(tmp_path, rows=10_000)
    started = time.perf_counter()
    check_xlsx(path)
    assert time.perf_counter() - started < 2


def test_sheet_count_limit(tmp_path):
    path = hostile.normal_xlsx(tmp_path, rows=5)
    with pytest.raises(InputLimitError, match="có 1 trang tính, vượt giới hạn 0 trang"):
        check_xlsx(path, dataclasses.replace(DEFAULT_LIMITS, xlsx_sheets=0))


def test_zip_that_is_not_a_workbook_refused(tmp_path):
    with pytest.raises(InputLimitError, match="không phải bảng tính XLSX"):
        check_xlsx(hostile.normal_zipped_shapefile(tmp_path))


# ------------------------------------------------------------------------------------------- JSON
def _true_depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((_true_depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_true_depth(item) for item in value.values()), default=0)
    return 0


def test_deep_geojson_refused_without_recursion(bombs):
    with pytest.raises(InputLimitError) as refused:
        check_json_depth(bombs["deep"])
    assert refused.value.message_vi.startswith("Tệp JSON/GeoJSON lồng nhau sâu 200.002 cấp trở lên, vượt giới hạn 64 cấp")


def test_deep_json_scan_stops_early():
    deep = b"[" * 5_000_000 + b"]" * 5_000_000
    assert json_depth(deep, stop_above=64, chunk_bytes=1024) <= 64 + 1024
    assert json_depth(deep) == 5_000_000


def test_normal_geojson_passes_with_its_true_depth(tmp_path):
    path = hostile.normal_geojson(tmp_path)
    check_json_depth(path)
    assert json_depth(path) == _true_depth(json.loads(path.read_text(encoding="utf-8"))) == 8


def test_a_checked_stream_is_left_where_it_was(tmp_path):
    stream = hostile.normal_geojson(tmp_path).open("rb")
    check_json_depth(stream)
    assert json.load(stream)["type"] == "FeatureCollection"
    stream.close()


def test_json_size_limit(tmp_path):
    path = hostile.normal_geojson(tmp_path)
    with pytest.raises(InputLimitError, match=r"JSON/GeoJSON có dung lượng .* vượt giới hạn 1 KiB"):
        check_json_depth(path, dataclasses.replace(DEFAULT_LIMITS, json_bytes=1024))


def test_qgis2web_script_and_bom():
    assert json_depth(b'\xef\xbb\xbfvar json_thua_1 = {"a": [[1]], "b": "]]]]"};') == 3


_TRICKY_TEXT = st.text(alphabet=st.sampled_from(list('[]{}"\\/ ,:aăđ\n\u202e')), max_size=12)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _TRICKY_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_TRICKY_TEXT, children, max_size=4),
    max_leaves=40)


@settings(max_examples=300, deadline=None)
@example(value={"\\": "["}, chunk_bytes=1, ascii_only=False)  # a backslash pair split across chunks
@given(value=_JSON_VALUES, chunk_bytes=st.integers(min_value=1, max_value=17), ascii_only=st.booleans())
def test_scanner_depth_equals_parsed_depth(value, chunk_bytes, ascii_only):
    text = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    assert json_depth(text, chunk_bytes=chunk_bytes) == _true_depth(value)


@settings(max_examples=100, deadline=None)
@given(depth=st.integers(min_value=0, max_value=130), decoy=_TRICKY_TEXT)
def test_depth_limit_passes_at_or_below_and_refuses_above(depth, decoy):
    value: object = decoy
    for _ in range(depth):
        value = [decoy, value]
    text = json.dumps(value).encode("utf-8")
    if depth <= DEFAULT_LIMITS.json_depth:
        check_json_depth(text)
    else:
        with pytest.raises(InputLimitError):
            check_json_depth(text)


# ------------------------------------------------------------------------------------- time limit
def test_time_limit_kills_a_hung_parse():
    started = time.perf_counter()
    with pytest.raises(InputLimitError) as refused:
        run_with_time_limit(hostile.slow_parse, 60, seconds=1.5)
    assert time.perf_counter() - started < 5
    assert refused.value.message_vi.startswith("Việc đọc tệp kéo dài quá 1,5 giây (giới hạn thời gian xử lý)")


def test_time_limit_returns_the_result_and_reraises_refusals():
    assert run_with_time_limit(hostile.slow_parse, 0, seconds=30) == "xong"
    with pytest.raises(GpmbError) as refused:
        run_with_time_limit(hostile.failing_parse, "Cột «Số thửa» trống ở dòng 7", seconds=30)
    assert refused.value.message_vi == "Cột «Số thửa» trống ở dòng 7"


def test_time_limit_carries_a_real_cadastral_read(tmp_path):
    """What the lead wires: ``read_source`` in a worker gives the same layers as a direct call."""
    from cadastre.readers import read_source

    two_sheets = tmp_path / "hai_to.zip"
    with zipfile.ZipFile(two_sheets, "w") as archive:
        for number in (1, 2):
            shapefile = hostile.normal_zipped_shapefile(tmp_path, parcels=10 * number, name=f"to{number}.zip")
            with zipfile.ZipFile(shapefile) as sheet:
                for info in sheet.infolist():
                    archive.writestr(f"to{number}/{PurePosixPath(info.filename).name}", sheet.read(info))
    direct = read_source(two_sheets)
    in_worker = run_with_time_limit(read_source, two_sheets, seconds=60)
    assert [len(layer.gdf) for layer in in_worker] == [len(layer.gdf) for layer in direct] == [10, 20]
    assert all(a.gdf.equals(b.gdf) and a.crs_text == b.crs_text for a, b in zip(in_worker, direct))


def test_a_worker_that_dies_is_refused_not_awaited():
    started = time.perf_counter()
    with pytest.raises(InputLimitError, match="dừng bất thường"):
        run_with_time_limit(hostile.crashing_parse, 3, seconds=30)
    assert time.perf_counter() - started < 10


def test_memory_limit_of_the_worker():
    with pytest.raises(InputLimitError, match="cần hơn 2 GiB bộ nhớ"):
        run_with_time_limit(hostile.greedy_parse, 16 * GiB, seconds=30, memory_bytes=2 * GiB)


# ------------------------------------------------------------------------------------------ names
def test_escape_name_neutralises_control_characters_only():
    assert escape_name("\x1b[2J\x1b[31mĐỎ") == "\\x1b[2J\\x1b[31mĐỎ"
    assert escape_name("Thửa\u202egnp.exe") == "Thửa\\u202egnp.exe"
    assert escape_name("<img src=x onerror=alert(1)>") == "<img src=x onerror=alert(1)>"  # the view escapes markup
    assert escape_name("x" * 200, max_chars=10) == "x" * 10 + "…"


def test_fmt_bytes_uses_vietnamese_decimals():
    assert [fmt_bytes(2 * GiB), fmt_bytes(int(1.5 * GiB)), fmt_bytes(512 * MiB), fmt_bytes(300)] == [
        "2 GiB", "1,5 GiB", "512 MiB", "300 byte"]


# ----------------------------------------------------------------------- time and memory, measured
_MEASURE = """
import json, sys, time
from pathlib import Path, PurePosixPath
from parsing import limits

def peak_kib():  # VmHWM: this process's peak RSS (ru_maxrss would still hold the parent's, across exec)
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))

checks = {"zip": limits.check_zip, "kmz": limits.check_zip, "shared_strings": limits.check_xlsx,
          "cells": limits.check_xlsx, "deep": limits.check_json_depth, "many": limits.check_zip}
for kind, path in json.loads(sys.argv[1]).items():
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak to the current RSS
    baseline = peak_kib()
    started = time.perf_counter()
    try:
        checks[kind](path)
        outcome = "passed"
    except limits.InputLimitError:
        outcome = "refused"
    seconds = time.perf_counter() - started
    print(json.dumps({"kind": kind, "outcome": outcome, "seconds": seconds, "peak_kib": peak_kib(),
                      "growth_kib": peak_kib() - baseline}))
"""


def test_every_bomb_refused_within_2_s_and_100_mb(bombs):
    """Measured in a fresh interpreter (Linux): the peak RSS during each check (``VmHWM``, reset before
    it), absolute (Python + numpy + pandas, which vocab.format imports, are ~100 MB) and above the RSS
    before the check."""
    paths = {kind: str(path) for kind, path in bombs.items()}
    run = subprocess.run([sys.executable, "-c", _MEASURE, json.dumps(paths)], cwd=REPO, capture_output=True,
                         text=True, timeout=120, check=True)
    results = [json.loads(line) for line in run.stdout.splitlines()]
    print("\n".join(f"{r['kind']}: {r['seconds']:.3f} s, peak {r['peak_kib'] / 1024:.0f} MB "
                    f"(+{r['growth_kib'] / 1024:.1f} MB)" for r in results))
    assert [r["kind"] for r in results] == list(paths)
    assert all(r["outcome"] == "refused" for r in results)
    assert all(r["seconds"] < 2 for r in results)
    assert all(r["growth_kib"] < 100 * 1024 for r in results)
    assert all(r["peak_kib"] < 250 * 1024 for r in results)

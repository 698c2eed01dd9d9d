"""The input limits guard the real readers: each bomb is refused by the reader a user's file goes through
(cadastral import, field-count upload), in Vietnamese, before anything is extracted or parsed."""
from __future__ import annotations

import time

import pytest

from cadastre.errors import CadastreImportError
from cadastre.source_layers import read_layers
from ingest.importer import validate_file
from ingest.read import IngestError, read_table
from tests.support import hostile


def _refused_fast(call, error, *phrases):
    started = time.perf_counter()
    with pytest.raises(error) as refused:
        call()
    message = getattr(refused.value, "message_vi", str(refused.value))
    assert time.perf_counter() - started < 10, "a bomb must be refused before it is expanded"
    for phrase in phrases:
        assert phrase in message, message
    assert "Traceback" not in message
    return message


@pytest.mark.parametrize("build", [hostile.zip_bomb, hostile.kmz_bomb], ids=["zip", "kmz"])
def test_archive_bombs_are_refused_by_the_cadastral_reader(tmp_path, build):
    bomb = build(tmp_path)
    message = _refused_fast(lambda: read_layers([bomb]), CadastreImportError, "vượt giới hạn")
    assert bomb.name in message
    assert not any(p.stat().st_size > 100_000_000 for p in tmp_path.rglob("*") if p.is_file())


def test_an_unsafe_member_name_is_refused(tmp_path):
    bomb = hostile.unsafe_name_zip(tmp_path, "../evil.shp")
    _refused_fast(lambda: read_layers([bomb]), CadastreImportError)
    assert not (tmp_path.parent / "evil.shp").exists()


def test_a_deep_geojson_is_refused_without_recursion(tmp_path):
    deep = hostile.deep_geojson(tmp_path)
    _refused_fast(lambda: read_layers([deep]), CadastreImportError, "64")


@pytest.mark.parametrize("build", [hostile.xlsx_shared_strings_bomb, hostile.xlsx_declared_cells_bomb],
                         ids=["shared-strings", "declared-cells"])
def test_xlsx_bombs_are_refused_by_the_upload_reader(tmp_path, build):
    data = build(tmp_path).read_bytes()
    _refused_fast(lambda: read_table(data, "so_lieu.xlsx"), IngestError, "giới hạn")


def test_the_upload_path_reads_in_a_worker_and_refuses_the_bomb(tmp_path):
    data = hostile.xlsx_declared_cells_bomb(tmp_path).read_bytes()
    _refused_fast(lambda: validate_file(data, "so_lieu.xlsx", store=None), IngestError, "giới hạn")


def test_normal_files_pass_the_same_readers(tmp_path):
    layers = read_layers([hostile.normal_zipped_shapefile(tmp_path)])
    assert sum(len(layer.gdf) for layer in layers) == 50
    table = read_table(hostile.normal_xlsx(tmp_path).read_bytes(), "normal.xlsx")
    assert len(table.data) == 10_000

"""The parcel import committed to the PostGIS store (same code path as GeoPackage)."""
from __future__ import annotations

import pytest

from cadastre.importer import ImportOptions, commit_parcels, prepare_parcels

pytestmark = pytest.mark.postgis


def test_import_commit_and_restore_on_postgis(postgis_store, actor, fixture_files):
    store = postgis_store
    prepared = prepare_parcels([fixture_files["dgn"]], store,
                               ImportOptions(project_id="TEST_QL4B", commune_former="Xã Hợp Thành"))
    assert prepared.report.counts.imported == 11
    version = commit_parcels(store, prepared, actor=actor).result
    parcels = store.parcels()
    mine = parcels[parcels["project_id"] == "TEST_QL4B"]
    assert len(mine) == 11
    assert mine["area_to_recover_m2"].sum() == pytest.approx(4250.0, abs=0.05)  # 4500 minus parcel 12 (250 m²)
    assert set(mine["owner_name"]) >= {"Nguyễn Văn An", "Lương Thị Hợp"}
    assert parcels.crs.to_epsg() == 9215
    store.restore_layer("parcels", version - 1, actor=actor)
    assert list(store.parcels()["project_id"]) == ["OTHER"]

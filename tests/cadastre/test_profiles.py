"""Saved attribute mappings are named source profiles in the store, applied only when picked (issue 10).

The reported bug: a mapping saved by one import (``--save-mapping``) applied silently to every later
import by anyone (sheet and parcel swapped for the next file: 1/990 for 990/1). Here a profile that
swaps them is saved; an import that does not pick it reads sheet 12 as the sheet, one that picks it
reads the swap and says so in its report. On both backends.
"""
from __future__ import annotations

import json

import pytest

from cadastre.importer import CadastreImportError, ImportOptions, prepare_parcels
from cadastre.profiles import load_profile, save_profile
from store import AuditTrail, SourceProfiles

SWAP = {"SoTo": "parcel_number", "SoThua": "map_sheet"}  # the swap of the issue, as a user might save it


def _columns(store, path):
    prepared = prepare_parcels([path], store, ImportOptions(project_id="TEST_QL4B", commune_former="Xã Hợp Thành"))
    return next(iter(prepared.report.source_columns.values()))


def test_profile_is_never_applied_unless_picked(any_store, actor, fixture_files):
    store = any_store
    path = fixture_files["gpkg"]
    columns = _columns(store, path)
    sheet_col = next(c for c in columns if c.lower() in ("soto", "shbando", "so_to"))
    number_col = next(c for c in columns if c.lower() in ("sothua", "shthua", "so_thua"))
    save_profile(store, "đảo tờ/thửa", {sheet_col: "parcel_number", number_col: "map_sheet"}, actor=actor)

    plain = prepare_parcels([path], store, ImportOptions(project_id="TEST_QL4B", commune_former="Xã Hợp Thành"))
    assert set(plain.parcels["map_sheet"]) == {12} and plain.report.profile is None
    picked = prepare_parcels([path], store, ImportOptions(project_id="TEST_QL4B", commune_former="Xã Hợp Thành",
                                                          profile="đảo tờ/thửa"))
    assert set(picked.parcels["parcel_number"]) == {"12"}  # the swap applies, because it was picked
    assert picked.report.profile["name"] == "đảo tờ/thửa" and picked.report.profile["version"] == 1
    assert picked.report.profile["created_by"] == actor.username


def test_saving_again_adds_a_version_with_author_and_audit(any_store, actor):
    store = any_store
    assert save_profile(store, "Famis", {"SHBD": "map_sheet"}, actor=actor) == 1
    assert save_profile(store, "Famis", {"GHICHU": ""}, actor=actor, base="Famis") == 2
    mapping, shown = load_profile(store, "Famis")
    assert mapping == {"shbd": "map_sheet", "ghichu": ""} and shown["version"] == 2
    table = SourceProfiles(store).list()
    assert table["name"].tolist() == ["Famis"] and table["version"].tolist() == [2]
    audit = AuditTrail(store).read()
    assert (audit["action"] == "source_profile_saved").sum() == 2


def test_unknown_profile_or_field_is_refused(store, actor, fixture_files):
    with pytest.raises(CadastreImportError, match="Không có hồ sơ nguồn «không có»"):
        prepare_parcels([fixture_files["gpkg"]], store, ImportOptions(project_id="TEST_QL4B", profile="không có"))
    with pytest.raises(CadastreImportError, match="không có"):
        save_profile(store, "x", {"A": "nonsense"}, actor=actor)
    assert SourceProfiles(store).list().empty


def test_old_mapping_file_is_not_applied_and_the_report_says_how_to_convert_it(store, fixture_files, tmp_path,
                                                                               monkeypatch):
    old = tmp_path / "attribute_mapping.yaml"
    old.write_text("tenxa: ''\n", encoding="utf-8")
    monkeypatch.setenv("GPMB_ATTRIBUTE_MAPPING", str(old))
    prepared = prepare_parcels([fixture_files["gpkg"]], store,
                               ImportOptions(project_id="TEST_QL4B", commune_former="Xã Gia Cát"))
    assert set(prepared.parcels["commune_former"]) == {"Xã Hợp Thành"}  # the file's "ignore TenXa" is not applied
    assert any("không còn được tự động áp dụng" in w and "profiles save" in w for w in prepared.report.warnings)


# ------------------------------------------------------------------------------------------ CLI
def run_cli(capsys, *argv):
    import cli

    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_turns_the_old_file_into_a_profile_and_imports_with_it(store, fixture_files, tmp_path, capsys):
    old = tmp_path / "attribute_mapping.yaml"
    old.write_text("TenXa: ''\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "profiles", "save", "VPĐK", "--map-file", str(old), "--as", "quan_tri")
    assert code == 0 and "phiên bản 1" in out
    code, out, err = run_cli(capsys, "profiles", "list")
    assert code == 0 and "VPĐK: phiên bản 1" in out and "quan_tri" in out, (out, err)
    code, out, _ = run_cli(capsys, "import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B",
                           "--commune", "Xã Gia Cát", "--profile", "VPĐK", "--dry-run", "--json", "--as", "quan_tri")
    assert code == 0
    report = json.loads(out)
    assert report["profile"]["name"] == "VPĐK"
    code, out, _ = run_cli(capsys, "import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B",
                           "--commune", "Xã Gia Cát", "--dry-run", "--as", "quan_tri")
    assert code == 0 and "Hồ sơ nguồn: không dùng" in out


def test_cli_save_profile_with_an_import(store, fixture_files, capsys):
    code, out, _ = run_cli(capsys, "import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B",
                           "--commune", "Xã Gia Cát", "--map", "TenXa=", "--save-profile", "bỏ TenXa",
                           "--as", "quan_tri")
    assert code == 0 and "Đã lưu hồ sơ nguồn «bỏ TenXa», phiên bản 1" in out
    assert load_profile(store, "bỏ TenXa")[0] == {"tenxa": ""}
    code, _, _ = run_cli(capsys, "import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B",
                         "--commune", "Xã Gia Cát", "--map", "TenXa=", "--save-profile", "khác", "--dry-run",
                         "--as", "quan_tri")
    assert code == 0 and SourceProfiles(store).list()["name"].tolist() == ["bỏ TenXa"]  # dry run saves nothing

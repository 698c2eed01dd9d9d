"""cadastre.report.stored_report: the import report kept in layer_versions holds no owner names."""
from __future__ import annotations

import json

from cadastre.importer import ImportOptions, prepare_parcels
from cadastre.report import stored_report


def test_stored_report_drops_owner_names_the_preview_showed(store, fixture_files):
    prepared = prepare_parcels([fixture_files["famis_tcvn3_noprj"]], store, ImportOptions(project_id="TEST_QL4B"))
    owners = {n for n in prepared.parcels["owner_name"] if isinstance(n, str) and n}
    report = prepared.report.to_dict()
    assert owners and any(name in json.dumps(report, ensure_ascii=False) for name in owners)  # the preview's samples

    kept = json.dumps(stored_report(report), ensure_ascii=False)
    assert not any(name in kept for name in owners)
    assert [e["column"] for e in json.loads(kept)["encodings"]] == [e["column"] for e in report["encodings"]]
    assert report["encodings"][0]["samples"]  # the original is unchanged

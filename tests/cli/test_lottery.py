"""``cli.py lottery`` on the bundled store: preview writes nothing, commit records inputs hashes + seed + result,
a second commit is refused without --reason and is a new recorded draw with it; eligibility from approved
plans with an entitlement; the minutes DOCX lists the result."""
from __future__ import annotations

import io
import json
from datetime import date

import docx
import pandas as pd
import pytest
from shapely.geometry import box

from tests.cli.conftest import SOURCES

AREA = "KTDC-TEST"


@pytest.fixture
def area(run, store_url):
    """A resettlement area of CA_XA with 4 lots (3 of class A, 1 of B) and 5 plans: 3 entitled (A, A, B),
    one not entitled, one entitled but not yet effective."""
    from store import open_store
    from tests.support.actors import make_account, office_admin

    store = open_store(store_url, sources_dir=SOURCES)
    admin = office_admin(store)
    make_account(store, "lanh_dao", "viewer")
    if AREA in set(store.resettlement_areas()["area_id"]):
        store.close()
        return admin.username
    sha = iter(f"{i:064x}" for i in range(1000, 2000))
    store.commit_register("areas", pd.DataFrame([{"area_id": AREA, "project_id": "CA_XA", "name": "Khu thử",
                                                  "geometry_wkt": box(0, 0, 10, 10).wkt}]),
                          actor=admin, file_name="khu", file_sha256=next(sha), rows_read=1)
    lots = pd.DataFrame({"area_id": AREA, "lot_number": ["1", "2", "3", "4"], "lot_class": ["A", "A", "A", "B"],
                         "area_m2": 100.0, "price_vnd": 5e6, "status": "available"})
    store.commit_register("lots", lots, actor=admin, file_name="lo", file_sha256=next(sha), rows_read=4)
    plans = pd.DataFrame({"household_id": ["T1", "T2", "T3", "T4", "T5"], "project_id": "CA_XA",
                          "compensation_vnd": 1e8, "support_vnd": 0.0, "resettlement_vnd": 0.0,
                          "decision_number": "1/QĐ", "decision_date": date(2025, 1, 1),
                          "effective_date": [date(2025, 1, 5)] * 4 + [date(2030, 1, 1)],
                          "resettlement_entitlement": ["A", "A", "B", "none", "A"]})
    store.commit_register("plans", plans, actor=admin, file_name="pa", file_sha256=next(sha), rows_read=5)
    store.close()
    return admin.username


def _draws(store_url):
    from store import open_store
    store = open_store(store_url, sources_dir=SOURCES)
    try:
        return store.lottery_draws(AREA)
    finally:
        store.close()


def test_preview_commit_and_redraw_rules(run, area, store_url, tmp_path):
    base = ("lottery", "--area", AREA, "--seed", "17-42-09", "--as-of", "2025-06-01", "--json")
    code, out, err = run(*base)
    assert code == 0, err
    preview = json.loads(out)
    assert not preview["committed"] and _draws(store_url).empty
    assert sorted(a["household_id"] for a in preview["assignments"]) == ["T1", "T2", "T3"]
    assert {a["household_id"]: a["lot_class"] for a in preview["assignments"]} == {"T1": "A", "T2": "A", "T3": "B"}
    assert len({a["lot_id"] for a in preview["assignments"]}) == 3 and len(preview["unallocated_lots"]) == 1

    minutes = tmp_path / "bien_ban.docx"
    code, out, err = run(*base, "--commit", "--as", area, "--expect-inputs", preview["inputs_sha256"],
                         "--minutes", str(minutes))
    assert code == 0, err
    first = json.loads(out)
    assert first["committed"] and first["draw_sha256"] == preview["draw_sha256"]  # same inputs + seed → same draw
    draws = _draws(store_url)
    assert list(draws["draw_id"]) == [first["draw_id"]] and draws["seed"].iloc[0] == "17-42-09"
    assert draws["inputs_sha256"].iloc[0] == preview["inputs_sha256"]
    text = "\n".join(c.text for t in docx.Document(io.BytesIO(minutes.read_bytes())).tables
                     for r in t.rows for c in r.cells)
    assert all(a["household_id"] in text for a in first["assignments"])

    code, _, err = run(*base, "--commit", "--as", area)
    assert code == 1 and "lý do" in err and len(_draws(store_url)) == 1
    code, out, err = run(*base[:-1], "--seed", "khác", "--commit", "--as", area, "--reason", "hộ T2 vắng mặt", "--json")
    assert code == 0, err
    draws = _draws(store_url)
    assert len(draws) == 2 and draws["supersedes_draw_id"].iloc[1] == first["draw_id"]
    assert draws["reason"].iloc[1] == "hộ T2 vắng mặt"


def test_changed_inputs_and_viewer_are_refused(run, area, store_url):
    base = ("lottery", "--area", AREA, "--seed", "1", "--as-of", "2025-06-01")
    before = len(_draws(store_url))
    code, _, err = run(*base, "--commit", "--as", area, "--reason", "x", "--expect-inputs", "0" * 64)
    assert code == 1 and "thay đổi" in err
    code, _, err = run(*base, "--commit", "--as", "lanh_dao", "--reason", "x")
    assert code == 1 and "lanh_dao" in err
    assert len(_draws(store_url)) == before
    code, _, err = run("lottery", "--area", "KHONG-CO", "--seed", "1")
    assert code == 1 and AREA in err

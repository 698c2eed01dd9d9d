"""Several layers replaced in ONE transaction (``Store.replace_layers``), on both backends.

The point (issue 5, "nothing partial is committed"): when the second layer fails, the first is
unchanged; no version row, no archived table, and the next write works. Failures are made three
ways: a check before writing, a real database error while writing the second layer (an integer that
no 64-bit column holds), and a process SIGKILLed between the two layers. Expected layers come from
the hand-made fixture (tests/store/sources_fixture.py).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest
import shapely
from sources_fixture import make_centrelines, make_parcels, make_projects
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from store import StoreError
from store.engine import read_connection
from tests.support.stores import demo_store


def same_rows(got, expected, columns):
    assert len(got) == len(expected)
    for col in columns:
        assert got[col].tolist() == expected[col].tolist(), col
    assert shapely.equals_exact(got.geometry.values, expected.geometry.values, 1e-6).all()


def tables(store):
    with read_connection(store.engine) as conn:
        return set(inspect(conn).get_table_names())


def changed_layers():
    projects = make_projects()
    projects["geometry_note"] = ["chỉ giới mới", "chỉ giới mới"]
    projects["geometry"] = projects.geometry.buffer(5)
    parcels = make_parcels()
    parcels["area_to_recover_m2"] = [100.0, 200.0, 300.0, 400.0, 450.0, 490.0]
    return projects, parcels


def assert_untouched(store):
    same_rows(store.projects(), make_projects(), ["project_id", "geometry_note", "name"])
    same_rows(store.parcels(), make_parcels(), ["parcel_id", "area_to_recover_m2"])
    assert store.layer_versions("projects").version.tolist() == [1]
    assert store.layer_versions("parcels").version.tolist() == [1]
    assert not {"projects__history", "parcels__history"} & tables(store)  # nothing archived
    assert store.data_version()["layers"]["projects"] == 1


def test_two_layers_in_one_call(store, actor):
    projects, parcels = changed_layers()
    versions = store.replace_layers({"projects": projects, "parcels": parcels}, actor=actor, report={"tep": "chi_gioi.dxf"},
                                    reports={"parcels": {"ly_do": "tính lại diện tích thu hồi"}})
    assert versions == {"projects": 2, "parcels": 2}
    assert store.parcels().area_to_recover_m2.tolist() == [100.0, 200.0, 300.0, 400.0, 450.0, 490.0]
    assert store.projects().geometry_note.tolist() == ["chỉ giới mới", "chỉ giới mới"]
    # 1 000 m × 60 m boundary buffered by 5 m: (1 010 × 70) minus the four corner squares (25 − 25π/4)
    assert store.projects().area.iloc[0] == pytest.approx(1010 * 70 - 4 * (25 - 25 * 3.141592653589793 / 4), abs=0.5)
    together = {"written_together": {"projects": 2, "parcels": 2}}  # issue 10: restored together
    assert store.layer_versions("projects").report.iloc[1] == {"tep": "chi_gioi.dxf", **together}
    assert store.layer_versions("parcels").report.iloc[1] == {"ly_do": "tính lại diện tích thu hồi", **together}
    assert {"projects__history", "parcels__history"} <= tables(store)  # the previous versions stay restorable
    assert not {"projects__v1", "parcels__v1"} & tables(store)  # and no table is renamed
    assert store.restore_layer("projects", 1, actor=actor).result == 3
    same_rows(store.projects(), make_projects(), ["project_id", "geometry_note"])
    same_rows(store.parcels(), make_parcels(), ["parcel_id", "area_to_recover_m2"])  # parcels came back with it


def test_database_error_in_second_layer_leaves_first_unchanged(store, actor):
    projects, parcels = changed_layers()
    parcels["so_lieu"] = [2 ** 70] * len(parcels)  # Python ints: an integer column, but > 64 bits
    with pytest.raises((SQLAlchemyError, OverflowError)):
        store.replace_layers({"projects": projects, "parcels": parcels}, actor=actor, report={})
    assert_untouched(store)
    # the store is usable afterwards and the versions continue from 1
    assert store.replace_layers({"projects": projects, "parcels": parcels.drop(columns="so_lieu")},
                                actor=actor, report={}) == {"projects": 2, "parcels": 2}


def test_check_failure_in_second_layer_writes_nothing(store, actor):
    projects, parcels = changed_layers()
    with pytest.raises(StoreError, match="thiếu cột: parcel_id"):
        store.replace_layers({"projects": projects, "parcels": parcels.drop(columns="parcel_id")}, actor=actor, report={})
    with pytest.raises(StoreError, match=r"Tên cột không dùng được.*'FID'"):
        store.replace_layers({"projects": projects, "parcels": parcels.assign(FID=1)}, actor=actor, report={})
    with pytest.raises(StoreError, match="dòng 2, cột 'start_date'"):
        store.replace_layers({"parcels": parcels, "projects": projects.assign(start_date=["2021-03-01", "x"])},
                             actor=actor, report={})
    with pytest.raises(StoreError, match="Không có lớp"):
        store.replace_layers({}, actor=actor, report={})
    assert_untouched(store)


def test_expected_versions_refuse_a_stale_read_modify_write(store, actor):
    projects, _parcels = changed_layers()
    seen = store.data_version()["layers"]
    assert seen["projects"] == 1 and seen["centrelines"] == 1
    store.replace_layer("centrelines", make_centrelines(), actor=actor, report={"nguoi": "người khác"})  # someone else
    with pytest.raises(StoreError, match="vừa được người khác thay"):
        store.replace_layers({"projects": projects, "centrelines": make_centrelines()}, actor=actor, report={},
                             expected_versions={"projects": seen["projects"], "centrelines": seen["centrelines"]})
    assert store.layer_versions("projects").version.tolist() == [1]
    assert store.layer_versions("centrelines").version.tolist() == [1, 2]
    assert store.replace_layers({"projects": projects}, actor=actor, report={}, expected_versions={"projects": 1}) == {"projects": 2}
    with pytest.raises(StoreError, match="vừa được người khác thay"):
        store.replace_layer("projects", projects, actor=actor, report={}, expected_version=1)


_KILL_WORKER = textwrap.dedent("""
    import sys
    sys.path[:0] = [sys.argv[3], sys.argv[4]]
    from sources_fixture import make_parcels, make_projects
    from tests.support.stores import demo_store
    store = demo_store(sys.argv[1], sources_dir=sys.argv[2])
    from store import Accounts
    actor = Accounts(store).get("quan_tri")
    projects, parcels = make_projects(), make_parcels()
    projects["geometry_note"] = "không được ghi"
    parcels["area_to_recover_m2"] = 1.0
    store.replace_layers({"projects": projects, "parcels": parcels}, actor=actor, report={})
    print("committed")
""")


@pytest.mark.slow
def test_process_killed_between_layers_leaves_store_unchanged(store, actor, store_url, sources_dir):
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    env = dict(os.environ, GPMB_STORE_SLEEP_IN_COMMIT="60")
    proc = subprocess.Popen([sys.executable, "-c", _KILL_WORKER, store_url, str(sources_dir), here, repo],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stderr.readline()  # printed after the first layer, inside the transaction
        assert "in-transaction" in line, line + proc.stderr.read()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    store.close()
    reopened = demo_store(store_url, sources_dir=sources_dir)
    try:
        assert_untouched(reopened)
        info = json.dumps(reopened.data_version(), default=str)
        assert '"projects": 1' in info
    finally:
        reopened.close()

"""A commune officer's register rows outside his communes are problems of their rows before the store is asked
(``ingest.register_scope``, through ``import_register`` as the CLI and the page call it), on both backends:
households by their commune, plans by their household's commune (a household not in the register is
undecided); the rows of his commune commit with «bỏ qua»; lots and transfers are refused as a permission;
a matrix needs its commune; other roles see no such problem."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ingest.register_import import import_register
from ingest.register_scope import NoCommuneRegisterError
from tests.support.actors import make_account

PROJECT, OWN, OTHER = "QL4B", "Xã Đồng Đăng", "Phường Kỳ Lừa"
HOUSEHOLDS = ("Mã hộ;Tên chủ hộ;Xã/phường\n"
              f"H1;Một;{OTHER}\n"
              f"H2;Hai;{OWN}\n"
              "H3;Ba;\n")
PLANS = ("Mã hộ;Mã dự án;Bồi thường (đồng);Hỗ trợ (đồng);Tái định cư (đồng);Số quyết định;Ngày quyết định;"
         "Ngày có hiệu lực\n"
         "H1;QL4B;100000000;0;0;QĐ-1;01/03/2024;01/03/2024\n"
         "H2;QL4B;100000000;0;0;QĐ-1;01/03/2024;01/03/2024\n"
         "H9;QL4B;100000000;0;0;QĐ-1;01/03/2024;01/03/2024\n")


def _import(store, actor, kind, text, **kw):
    return import_register(text.encode("utf-8-sig"), store, kind=kind, project_id=PROJECT, actor=actor,
                           file_name=f"{kind}.csv", today=date(2024, 6, 1), **kw)


@pytest.fixture
def officer(store, actor):
    return make_account(store, "can_bo_dong_dang", "commune_officer", communes=(OWN,))


def test_households_of_other_communes_are_row_problems(store, officer):
    result = _import(store, officer, "households", HOUSEHOLDS, dry_run=True)
    assert [(p.row, p.column, p.value) for p in result.problems] == [(2, "Xã/phường", OTHER), (4, "Xã/phường", "")]
    assert "dòng này thuộc Phường Kỳ Lừa" in result.problems[0].message_vi
    assert result.problems[1].message_vi == "ô bắt buộc đang trống"  # commune is required: no scope to decide
    assert (result.rows, result.rows_valid) == (3, 1)
    assert _import(store, officer, "households", HOUSEHOLDS).status == "rejected"
    assert store.register("households").empty
    done = _import(store, officer, "households", HOUSEHOLDS, skip_invalid=True)
    assert done.status == "committed", done.message_vi
    assert list(store.register("households")["household_id"]) == ["H2"]


def test_a_commune_given_fills_the_blank_cell_and_is_checked(store, officer):
    result = _import(store, officer, "households", HOUSEHOLDS, commune=OWN, dry_run=True)
    assert [p.row for p in result.problems] == [2]  # H3's blank commune is now his
    from domain.roles import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        _import(store, officer, "households", HOUSEHOLDS, commune=OTHER, dry_run=True)


def test_plans_follow_their_households_commune(store, actor, officer):
    homes = pd.DataFrame({"household_id": ["H1", "H2"], "project_id": PROJECT, "name": ["Một", "Hai"],
                          "commune": [OTHER, OWN]})
    store.commit_register("households", homes, actor=actor, file_name="ho.csv", file_sha256="a" * 64, rows_read=2)
    result = _import(store, officer, "plans", PLANS, dry_run=True)
    assert [(p.row, p.column) for p in result.problems] == [(2, "Mã hộ"), (4, "Mã hộ")]
    done = _import(store, officer, "plans", PLANS, skip_invalid=True)
    assert done.status == "committed", (done.message_vi, done.problems)
    assert list(store.register("plans")["household_id"]) == ["H2"]


def test_other_roles_get_no_commune_problem(store, actor):
    result = _import(store, actor, "households", HOUSEHOLDS.replace("H3;Ba;\n", f"H3;Ba;{OWN}\n"), dry_run=True)
    assert result.problems == [] and result.rows_valid == 3


def test_lots_transfers_and_a_matrix_without_commune_are_refused_whole(store, officer):
    for kind in ("lots", "transfers"):
        with pytest.raises(NoCommuneRegisterError, match="không được nhập sổ này"):
            _import(store, officer, kind, "x", dry_run=True)
    matrix = import_register(b"PK", store, kind="matrix", project_id=PROJECT, actor=officer, file_name="m.xlsx",
                             dry_run=True)
    assert matrix.status == "refused" and "cần chọn xã" in matrix.message_vi

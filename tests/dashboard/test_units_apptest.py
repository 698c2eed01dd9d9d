"""Dashboard on a store shared by two units (issue 10): a province account gets the roll-up on the
overview, a unit's officer sees his unit's projects only and no roll-up (AppTest, real GeoPackage store)."""
from __future__ import annotations

import pytest
import streamlit as st

from dashboard import state
from domain.roles import ADMIN, OFFICER, Account
from tests.support.actors import FAST_HASHER, TEST_PASSWORD, office_admin
from tests.support.login import preset_login, stub_accounts
from tests.support.stores import demo_store

ROLLUP_TITLE = "Tổng hợp toàn tỉnh theo đơn vị"


@pytest.fixture
def two_unit_store(tmp_path, monkeypatch):
    """The bundled demo data with CA_XA moved to unit 184 (huyện Văn Quan)."""
    from store import Accounts

    url = f"sqlite:///{tmp_path / 'gpmb.gpkg'}"
    store = demo_store(url)
    admin = office_admin(store)
    store.add_unit("184", "Huyện Văn Quan", "Lạng Sơn", actor=admin)
    projects = store.projects()
    projects.loc[projects["project_id"] == "CA_XA", "unit"] = "184"
    store.replace_layer("projects", projects, actor=admin, report={})
    officer = Accounts(store, hasher=FAST_HASHER).create_account(
        "cb_vanquan", TEST_PASSWORD, role=OFFICER, by=admin, units=["184"])
    store.close()
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield officer
    st.cache_data.clear()
    st.cache_resource.clear()


def subheaders(at) -> list[str]:
    return [s.value for s in at.subheader]


def test_province_account_sees_the_rollup(two_unit_store, page_app, monkeypatch):
    province = Account(username="quan_tri", display_name="Quản trị", role=ADMIN)
    stub_accounts(monkeypatch, province)
    at = preset_login(page_app("10_overview"), province).run()
    assert not at.exception and not at.error
    assert ROLLUP_TITLE in subheaders(at)
    table = at.dataframe[0].value
    assert table["Đơn vị"].tolist() == ["Huyện Cao Lộc", "Huyện Văn Quan", "Toàn tỉnh"]
    assert table["Số dự án"].tolist() == ["4", "1", "5"]


def test_unit_officer_sees_only_his_unit(two_unit_store, page_app, monkeypatch):
    stub_accounts(monkeypatch, two_unit_store)
    at = preset_login(page_app("10_overview"), two_unit_store).run()
    assert not at.exception and not at.error
    assert ROLLUP_TITLE not in subheaders(at)
    cards = [md.value for md in at.markdown if "gpmb-figs" in md.value and "<style>" not in md.value]
    assert len(cards) == 1 and "1,10 ha" in cards[0]  # CA_XA: 10 996 m²
    assert len(at.multiselect(key=state.PROJECTS_KEY).options) == 1  # the sidebar offers his project only


def test_unit_administrator_reads_his_units_audit_and_proposals(two_unit_store, page_app, monkeypatch):
    """The audit page and the proposals page of an administrator of unit 184 list 184's entries and proposals
    only (not 183's, not the account administration or the settings of the province)."""
    import os

    import pandas as pd

    from store import Accounts, open_store
    from store.settings import Settings

    store = open_store(os.environ["DATABASE_URL"])
    try:
        admin = Accounts(store).get("quan_tri")
        unit_admin = Accounts(store, hasher=FAST_HASHER).create_account(
            "qt_vanquan", TEST_PASSWORD, role=ADMIN, by=admin, units=["184"])
        uploads = {}
        for project in ("CA_XA", "QL4B"):
            rows = pd.DataFrame({"household_id": [f"{project}-1"], "project_id": project, "commune": "Xã Hồng Phong"})
            uploads[project] = store.commit_register("households", rows, actor=admin, file_name=f"ho_{project}.csv",
                                                     file_sha256=f"{len(uploads):064d}", rows_read=1,
                                                     project_id=project).upload_id
        Settings(store).set("maker_checker", "on", actor=admin)
        proposal = {p: store.revert_upload(u, actor=admin, reason="nhầm").proposal_id for p, u in uploads.items()}
    finally:
        store.close()
    stub_accounts(monkeypatch, unit_admin)

    at = preset_login(page_app("95_audit"), unit_admin).run()
    assert not at.exception and not at.error
    assert set(at.dataframe[0].value["Đối tượng"]) == {f"upload:{uploads['CA_XA']}", f"proposal:{proposal['CA_XA']}"}

    at = preset_login(page_app("85_proposals"), unit_admin).run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value["Số"].tolist() == [proposal["CA_XA"]]

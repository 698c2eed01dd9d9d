"""The page «Mốc tiến độ» (issue 10) in Streamlit's AppTest on a real GeoPackage store with accounts:
a viewer reads the milestones, the history and the rules but gets no form; an administrator changes a
target (recorded with his account and reason, shown in the history; with maker–checker on it waits as
a proposal); a bad rules text is refused with a Vietnamese message and nothing is written."""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from domain.roles import ADMIN, VIEWER
from tests.store.sources_fixture import write_sources
from tests.support.login import add_account, preset_login
from tests.support.stores import copy_store_file, seed_store_file


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seed_store_file(tmp_path_factory.mktemp("milestones_page"), write_sources)


@pytest.fixture
def store_url(tmp_path, seeded, monkeypatch):
    template, sources = seeded
    url = copy_store_file(template, tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield url
    st.cache_resource.clear()
    st.cache_data.clear()


def page() -> AppTest:
    return AppTest.from_string("import importlib\nimportlib.import_module('dashboard.pages.70_milestones').render()\n",
                               default_timeout=90)


def open_url(url):
    from store import open_store

    return open_store(url)


def maker_checker_off(url, admin):
    from store.settings import Settings

    the_store = open_url(url)
    Settings(the_store).set("maker_checker", "off", actor=admin)
    the_store.close()


def history(url, kind="milestone"):
    the_store = open_url(url)
    try:
        return the_store.config_history(kind)
    finally:
        the_store.close()


def test_a_viewer_reads_but_gets_no_form(store_url, seeded):
    add_account(store_url, "admin", sources_dir=seeded[1])
    lan = add_account(store_url, "lan", VIEWER, sources_dir=seeded[1])
    at = preset_login(page(), lan).run()
    assert not at.exception
    assert at.title[0].value == "Mốc tiến độ"
    table = at.dataframe[0].value
    assert table["Mã mốc"].tolist() == ["QL4B_100", "CCN_HT1_50"]
    assert table["Chỉ tiêu (%)"].tolist() == ["100,0", "50,0"]
    assert [b.key for b in at.button] == []
    assert not at.text_area and "forecast_window_days: 60" in at.code[0].value


def test_an_admin_changes_a_target_and_the_history_shows_it(store_url, seeded):
    admin = add_account(store_url, "admin", ADMIN, sources_dir=seeded[1])
    maker_checker_off(store_url, admin)
    at = preset_login(page(), admin).run()
    at.number_input(key="ms_target_QL4B_100").set_value(95.0)
    at.text_input(key="ms_reason").set_value("Công văn 45/UBND")
    at.run()
    at.button(key="ms_save").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Đã sửa mốc QL4B\\_100."]
    assert at.dataframe[0].value["Chỉ tiêu (%)"].tolist()[0] == "95,0"
    shown = at.dataframe[1].value.iloc[0]
    assert (shown["Tài khoản"], shown["Thay đổi"], shown["Lý do"]) == ("admin", "Chỉ tiêu (%): 100 → 95",
                                                                         "Công văn 45/UBND")
    last = history(store_url).iloc[-1]
    assert (last.account, last.after["target_percent"], last.reason) == ("admin", 95.0, "Công văn 45/UBND")


def test_with_maker_checker_on_the_change_waits(store_url, seeded):
    admin = add_account(store_url, "admin", ADMIN, sources_dir=seeded[1])
    at = preset_login(page(), admin).run()
    at.number_input(key="ms_target_QL4B_100").set_value(80.0)
    at.text_input(key="ms_reason").set_value("KH mới")
    at.run()
    at.button(key="ms_save").click().run()
    assert "Đã ghi đề xuất số 1" in at.info[0].value
    assert at.dataframe[0].value["Chỉ tiêu (%)"].tolist()[0] == "100,0"
    assert len(history(store_url)) == 2                        # the two seeded milestones only


def test_a_bad_rules_text_is_refused_in_vietnamese(store_url, seeded):
    admin = add_account(store_url, "admin", ADMIN, sources_dir=seeded[1])
    maker_checker_off(store_url, admin)
    at = preset_login(page(), admin).run()
    at.text_area(key="rules_text").set_value("forecast_window_days: -1\n")
    at.text_input(key="rules_reason").set_value("thử")
    at.run()
    at.button(key="rules_save").click().run()
    assert "không được âm" in at.error[0].value
    assert len(history(store_url, "rules")) == 1
    at.text_area(key="rules_text").set_value("forecast_window_days: 30\n")
    at.button(key="rules_save").click().run()
    assert [s.value for s in at.success] == ["Đã lưu quy tắc."]
    assert history(store_url, "rules").iloc[-1].after == {"yaml": "forecast_window_days: 30\n"}


def test_the_page_is_listed_for_every_reader():
    from dashboard import pages

    found, failures = pages.discover()
    assert not failures and "milestones" in {p.url_path for p in found}
    assert Path(__file__).name  # the page module is discovered by its file name (70_milestones.py)

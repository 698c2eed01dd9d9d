"""The "Xuất báo cáo" dashboard page (Streamlit AppTest on the bundled data)."""
from __future__ import annotations

import os

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

SCRIPT = (
    "import importlib\n"
    "from dashboard import state\n"
    "state.render_sidebar()\n"
    "importlib.import_module('dashboard.pages.50_exports').render()\n"
)


@pytest.fixture
def app(real, real_db_url, real_sources, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", real_db_url)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(real_sources))
    st.cache_data.clear()
    st.cache_resource.clear()
    from tests.support.actors import make_account
    from tests.support.login import preset_login
    from tests.support.stores import demo_store

    store = demo_store(real_db_url, sources_dir=real_sources)
    officer = make_account(store, "can_bo_ttptqd", "officer")  # may export personal data (issue 9)
    store.close()
    yield preset_login(AppTest.from_string(SCRIPT, default_timeout=300), officer)
    st.cache_data.clear()
    st.cache_resource.clear()


def _download_buttons(at):
    return list(at.get("download_button"))


def test_page_renders_and_makes_the_excel_report(app, real):
    _snap, _ = real
    app.run()
    assert not app.exception
    assert app.title[0].value == "Xuất báo cáo"
    assert "30/06/2024" in app.caption[0].value and "lần cập nhật số" in app.caption[0].value
    assert _download_buttons(app) == []  # nothing is made before it is asked for
    app.button(key="make_xlsx").click().run()
    assert not app.exception
    assert not app.error
    buttons = _download_buttons(app)
    assert len(buttons) == 1
    assert "gpmb_bao-cao_2024-06-30" in buttons[0].proto.label


def test_personal_data_warning_and_file_follows_the_as_of_date(app):
    app.run()
    app.checkbox(key="export_personal").check().run()
    assert not app.exception
    assert any("CÓ DỮ LIỆU CÁ NHÂN" in w.value for w in app.warning)
    app.button(key="make_xlsx").click().run()
    assert "_CO_DU_LIEU_CA_NHAN" in _download_buttons(app)[0].proto.label  # marked, and audited:
    from store import AuditTrail
    from tests.support.stores import demo_store

    audit = AuditTrail(demo_store(os.environ["DATABASE_URL"])).read()
    assert audit.iloc[-1]["action"] == "export_personal_data" and audit.iloc[-1]["account"] == "can_bo_ttptqd"
    # Changing the as-of date hides the file made for the previous date.
    app.date_input(key="as_of").set_value(__import__("datetime").date(2024, 3, 31)).run()
    assert not app.exception
    assert _download_buttons(app) == []


def test_word_report_button_gives_the_quarterly_report(app):
    import io

    import docx

    app.run()
    app.button(key="make_docx").click().run()
    assert not app.exception and not app.error
    (button,) = _download_buttons(app)
    assert "gpmb_bao-cao-quy_2024-06-30" in button.proto.label and button.proto.label.rstrip(")").endswith("kB")
    data = app.session_state["export_ready_docx"][1][0]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "Kết quả công tác giải phóng mặt bằng quý II năm 2024" in text and "ĐỀ XUẤT, KIẾN NGHỊ" in text


def test_geopackage_button_gives_the_status_layer(app, tmp_path):
    import pyogrio

    app.run()
    app.button(key="make_gpkg").click().run()
    assert not app.exception and not app.error
    (button,) = _download_buttons(app)
    assert "gpmb_lop-tien-do_2024-06-30" in button.proto.label
    path = tmp_path / "tien-do.gpkg"
    path.write_bytes(app.session_state["export_ready_gpkg"][1][0])
    layer = pyogrio.read_dataframe(path, layer="parcel_status", read_geometry=False)
    assert set(layer["as_of"].dt.date.astype(str)) == {"2024-06-30"} and "owner_name" not in layer.columns

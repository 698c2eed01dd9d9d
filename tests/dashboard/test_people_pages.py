"""AppTest of the pages «Hộ dân & chi trả», «Đơn thư», «Tái định cư» on a real store with hand-made registers:
the figures follow from the rows written here; names only for an account with read_personal; the lottery
form only with draw_lottery, its preview writes nothing and its commit records one draw."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import streamlit as st
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from dashboard import state
from domain.roles import VIEWER, Account
from tests.dashboard.conftest import page_script
from tests.store.sources_fixture import write_sources
from tests.support.login import TEST_ADMIN, preset_login, stub_accounts
from tests.support.stores import demo_store

VIEWER_ACCOUNT = Account(username="lanh_dao", display_name="Lãnh đạo", role=VIEWER)
SECRET_NAME = "Trần Thị Hai"


@pytest.fixture
def people_store(tmp_path, monkeypatch):
    from tests.support.actors import make_account

    sources = write_sources(tmp_path / "sources")
    store = demo_store(f"sqlite:///{tmp_path / 's.gpkg'}", sources_dir=sources)
    admin = make_account(store, TEST_ADMIN.username, "admin")
    make_account(store, VIEWER_ACCOUNT.username, "viewer")
    sha = iter(f"{i:064x}" for i in range(1, 100))

    def put(register, rows):
        store.commit_register(register, pd.DataFrame(rows), actor=admin, file_name=register, file_sha256=next(sha),
                              rows_read=len(rows))

    put("households", [{"household_id": "H1", "project_id": "QL4B", "name": "Nguyễn Văn Một", "commune": "Phường Kỳ Lừa"},
                       {"household_id": "H2", "project_id": "QL4B", "name": SECRET_NAME, "commune": "Phường Kỳ Lừa"}])
    plan = {"project_id": "QL4B", "compensation_vnd": 1e8, "support_vnd": 0.0, "resettlement_vnd": 0.0,
            "decision_number": "1/QĐ", "resettlement_entitlement": "A"}
    put("plans", [{**plan, "household_id": "H1", "decision_date": date(2024, 1, 1), "effective_date": date(2024, 1, 1)},
                  {**plan, "household_id": "H2", "decision_date": date(2024, 5, 1), "effective_date": date(2024, 5, 1)}])
    put("payments", [{"household_id": "H1", "project_id": "QL4B", "payment_date": date(2024, 1, 20), "amount_vnd": 1e8,
                      "part": "compensation", "receipt_number": "PC-1"}])
    put("refusals", [{"household_id": "H2", "project_id": "QL4B", "step": "invited_1", "step_date": date(2024, 6, 5),
                      "document_number": "GM-1"}])
    put("transfers", [{"project_id": "QL4B", "transfer_date": date(2024, 1, 10), "amount_vnd": 5e7,
                       "document_number": "UNC-1"}])
    put("procedure", [{"project_id": "QL4B", "step_code": "C005", "name": "Quyết định phê duyệt phương án",
                       "lead_body": "UBND huyện", "min_days": 10.0, "planned_date": date(2024, 6, 1),
                       "stage": "approved"}])
    letter = {"project_id": "QL4B", "commune": "Phường Kỳ Lừa", "channel": "post", "household_id": "H2",
              "parcels": "102", "kind": "complaint", "subject": "land_price", "body": "district_people_committee",
              "round": 1}
    put("complaints", [{**letter, "letter_id": "D1", "received_date": date(2024, 3, 1),
                        "accepted_date": date(2024, 3, 5), "status": "verifying"},
                       {**letter, "letter_id": "D2", "received_date": date(2024, 2, 1), "accepted_date": date(2024, 2, 3),
                        "status": "resolved", "closed_date": date(2024, 2, 20)}])
    put("areas", [{"area_id": "K1", "project_id": "QL4B", "name": "Khu thử", "geometry_wkt": box(0, 0, 9, 9).wkt}])
    put("lots", [{"area_id": "K1", "lot_number": n, "lot_class": "A", "area_m2": 100.0, "price_vnd": 1e6,
                  "status": "available"} for n in ("1", "2", "3")])
    monkeypatch.setattr(state, "_open_store", lambda url: store)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield store
    st.cache_data.clear()
    st.cache_resource.clear()
    store.close()


def _page(module, monkeypatch, account=TEST_ADMIN):
    stub_accounts(monkeypatch, account)
    at = AppTest.from_string(page_script(module), default_timeout=90)
    preset_login(at, account)
    return at.run()


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _text(at) -> str:
    tables = "\n".join(df.value.to_string() for df in at.dataframe)
    return tables + "\n".join(m.value for m in at.markdown)


def test_households_page_figures_and_names_by_role(people_store, monkeypatch):
    at = _page("70_households", monkeypatch)
    assert not at.exception and not at.error
    metrics = _metrics(at)
    assert metrics["Hộ đã nhận đủ tiền"] == "1" and metrics["Hộ còn phải chi trả"] == "1"
    assert metrics["Hộ chi trả quá hạn"] == "1"          # H2: effective 01/05, deadline 31/05, unpaid at 30/06
    late = at.dataframe[1].value
    assert late["Mã hộ"].tolist() == ["H2"] and late["Số ngày chậm"].tolist() == ["30"]
    assert late["Tên chủ hộ"].tolist() == [SECRET_NAME]
    assert late["Từ chối nhận tiền"].tolist() == ["Mời nhận tiền lần 1"]
    assert metrics["Hộ đã mời chưa nhận tiền"] == "1" and metrics["Hộ đã gửi tiền tạm giữ"] == "0"
    refused = at.dataframe[2].value
    assert refused["Mã hộ"].tolist() == ["H2"] and refused["Ngày mời / gửi"].tolist() == ["05/06/2024"]
    funds = at.dataframe[3].value                       # needed 2 × 100.000.000, transferred 50.000.000
    assert funds["Kinh phí phương án đã duyệt (đ)"].tolist() == ["200.000.000"]
    assert funds["Còn thiếu (đ)"].tolist() == ["150.000.000"]
    steps = at.dataframe[4].value                      # planned 01/06, not done at 30/06: 29 days behind
    assert steps["Mã bước"].tolist() == ["C005"] and steps["Giai đoạn tương ứng"].tolist() == ["Phê duyệt phương án / QĐ thu hồi"]
    assert steps["Chậm so với kế hoạch (ngày)"].tolist() == ["29"]
    viewer = _page("70_households", monkeypatch, VIEWER_ACCOUNT)
    assert not viewer.exception and SECRET_NAME not in _text(viewer)
    assert "Tên chủ hộ" not in viewer.dataframe[1].value.columns


def test_complaints_page_counts_open_and_overdue(people_store, monkeypatch):
    at = _page("72_complaints", monkeypatch)
    assert not at.exception and not at.error
    metrics = _metrics(at)
    assert metrics["Đơn thư chưa giải quyết"] == "1" and metrics["Đơn thư quá hạn"] == "1"
    bodies = at.dataframe[0].value
    assert bodies["Cơ quan có thẩm quyền"].tolist() == ["UBND huyện"] and bodies["Đơn quá hạn"].tolist() == ["1"]
    letters = at.dataframe[1].value
    assert letters["Số đơn"].tolist() == ["D1"] and letters["Căn cứ"].tolist() == ["Luật Khiếu nại 2011, điều 28"]
    at.checkbox(key="complaints_open_only").uncheck().run()
    assert sorted(at.dataframe[1].value["Số đơn"]) == ["D1", "D2"]


def test_resettlement_page_lottery_preview_then_commit(people_store, monkeypatch):
    at = _page("74_resettlement", monkeypatch)
    assert not at.exception and not at.error
    assert _metrics(at)["Lô TĐC"] == "3" and _metrics(at)["Lô TĐC đã bốc thăm"] == "0"
    at.text_input(key="lottery_seed").input("07-19-33").run()
    at.button[0].click().run()
    assert not at.exception and not at.error
    result = at.dataframe[-1].value
    assert people_store.lottery_draws().empty                        # a preview writes nothing
    assert sorted(result["Mã hộ"]) == ["H1", "H2"] and result["Mã lô"].is_unique
    at.button[1].click().run()
    assert not at.exception and not at.error
    draws = people_store.lottery_draws()
    assert len(draws) == 1 and draws["seed"].iloc[0] == "07-19-33" and draws["recorded_by"].iloc[0] == "admin"
    assert sorted(a["household_id"] for a in draws["result"].iloc[0]["assignments"]) == ["H1", "H2"]
    at.run()
    assert _metrics(at)["Lô TĐC đã bốc thăm"] == "0"       # drawn today: not yet at the as-of date 30/06/2024
    at.date_input(key=state.AS_OF_KEY).set_value(date.today()).run()
    assert _metrics(at)["Lô TĐC đã bốc thăm"] == "2"       # a new data version: figures re-read


def test_resettlement_page_records_a_construction_percent_and_shows_its_history(people_store, monkeypatch):
    at = _page("74_resettlement", monkeypatch)
    assert not at.exception and not at.error
    areas = at.dataframe[0].value
    assert areas["So với kế hoạch"].tolist() == ["Chưa có ngày hoàn thành theo kế hoạch"]
    at.number_input(key="area_pct_K1").set_value(35.0).run()
    next(b for b in at.button if b.label == "Ghi tiến độ xây dựng").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "35%" in at.success[0].value
    assert people_store.register("areas").set_index("area_id").loc["K1", "construction_percent"] == 35.0
    at.run()
    history = at.dataframe[1].value
    assert history["Tiến độ xây dựng (%)"].tolist()[-1] == "35,0" and len(history) == 2


def test_viewer_sees_no_lottery_form(people_store, monkeypatch):
    at = _page("74_resettlement", monkeypatch, VIEWER_ACCOUNT)
    assert not at.exception and not at.error
    assert not any(t.key == "lottery_seed" for t in at.text_input)
    assert not any(b.label == "Ghi tiến độ xây dựng" for b in at.button)   # no progress form for a viewer

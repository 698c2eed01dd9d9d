"""Streamlit AppTest of app.py and of each page on the synthetic store (expected figures follow from
synthetic.py's construction rule, not from the page's output)."""
import json
from datetime import date

import pytest

from dashboard import state

STATUS_LABELS = {"Đạt", "Không đạt", "Đúng tiến độ", "Có nguy cơ chậm", "Chậm tiến độ"}


def card_figures(at) -> list[tuple[str, str, str]]:
    """(to recover, handed over, percent) of each project card, read from the card HTML."""
    import re

    return [tuple(re.findall(r"<div class='val'>([^<]+)</div>", md.value))
            for md in at.markdown if "gpmb-figs" in md.value and "<style>" not in md.value]


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_app_overview_renders_at_default_date(fake_backend, main_app):
    at = main_app().run()
    assert not at.exception and not at.error
    assert "30/06/2024" in captions(at)
    assert at.date_input(key=state.AS_OF_KEY).value == date(2024, 6, 30)
    # Cards: RD 12 x 1 050 m² = 1,26 ha; handed over at 30/06: 9 parcels = 0,94 ha. AR: 6 x 1 ha.
    assert card_figures(at) == [("1,26 ha", "0,94 ha", "75,0%"), ("6,00 ha", "6,00 ha", "100,0%")]
    # The milestone table shows a Vietnamese status.
    table = at.table[0].value
    assert set(table["Trạng thái"]) <= STATUS_LABELS and len(table) == 2
    # Both reached their 70 % (9th RD parcel: 01/01 + 80 + 100 days; 5th AR parcel: 01/01 + 40 + 100 days):
    # the reached date, never "Chưa dự báo được"; value at the due date beside the value now.
    assert dict(zip(table["Dự án"], table["Dự báo / ngày đạt"])) == {
        "Đường RD": "Đạt ngày 29/06/2024", "CCN AR": "Đạt ngày 20/05/2024"}
    assert table["Tại hạn"].tolist() == table["Hiện nay"].tolist() == ["100,0%", "75,0%"]
    assert "Báo cáo quý tiếp theo: hạn 20/09/2024" in [i.value for i in at.info]
    # One planned-vs-actual S-curve per project (tabs), Vietnamese axis title, dd/mm/yyyy dates.
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    spec = json.dumps(json.loads(charts[0].proto.spec), ensure_ascii=False)
    assert "% diện tích đã bàn giao" in spec and "%d/%m/%Y" in spec and "Kế hoạch" in spec
    # Footer: illustrative parcels, approximate alignment, attributions.
    footer = captions(at)
    assert "minh họa" in footer and "gần đúng" in footer and "Thang Le Quoc" in footer


def test_changing_the_date_changes_the_figures(fake_backend, main_app):
    at = main_app().run()
    at.date_input(key=state.AS_OF_KEY).set_value(date(2024, 3, 31)).run()
    assert not at.exception
    assert "31/03/2024" in captions(at)
    # First handover is parcel 0's on 10/04/2024 (notice 01/01 + 5 x 20 days): nothing handed over yet.
    assert [c[1] for c in card_figures(at)] == ["0,00 ha", "0,00 ha"]
    table = at.table[0].value
    assert set(table["Trạng thái"]) <= STATUS_LABELS - {"Đạt", "Không đạt"}   # before the due date


def test_project_filter_limits_cards(fake_backend, main_app):
    at = main_app().run()
    at.multiselect(key=state.PROJECTS_KEY).set_value(["AR"]).run()
    assert [c[0] for c in card_figures(at)] == ["6,00 ha"]
    assert at.table[0].value["Dự án"].tolist() == ["CCN AR"]


def live_map_args(at) -> dict:
    """The arguments the page sent to the persistent map component (``dashboard.map_component``), its
    ``state`` whole again (the per-parcel vectors travel as bytes arguments ``state_<name>``)."""
    from mapview.parcel_layer import unpack_state

    proto = next(e.proto for e in at.main if type(e).__name__ == "UnknownElement"
                 and type(e.proto).__name__ == "ComponentInstance" and e.proto.id.endswith("gpmb_live_map"))
    args = json.loads(proto.json_args)
    binary = {a.key.removeprefix("state_"): a.bytes for a in proto.special_args if a.key.startswith("state_")}
    assert set(binary) == set(args["state"]["packed"])
    args["state"] = unpack_state(args["state"], binary)
    return args


def test_map_page_draws_offline_map(fake_backend, page_app):
    at = page_app("20_map").run()
    assert not at.exception and not at.error
    assert "30/06/2024" in captions(at) and "18 thửa" in captions(at)
    args = live_map_args(at)
    html = args["document"]                  # sent: this session's browser does not hold the map yet
    assert "L.map(" in html and "cdn.jsdelivr.net" not in html and "Content-Security-Policy" in html
    assert args["state"]["count"] == 18 and "30/06/2024" in args["state"]["title"]
    at.multiselect(key=state.STAGES_KEY).set_value(["paid"]).run()
    assert "2 thửa đang hiển thị" in captions(at)      # RD parcels 9 and 10 are at "paid" on 30/06
    assert "2 thửa đang hiển thị" in live_map_args(at)["state"]["title"]
    at.date_input(key=state.AS_OF_KEY).set_value(date(2024, 3, 31)).run()
    # At 31/03 (day 90): rank = 1 + (90 - 10 i) // 20 = 5 (paid) for i = 0, 1 in each project.
    assert "31/03/2024" in captions(at) and "4 thửa đang hiển thị" in captions(at)
    args = live_map_args(at)
    assert "31/03/2024" in args["state"]["title"] and sum(args["state"]["v"]) == 4
    assert args["map_key"] == live_map_args(page_app("20_map").run())["map_key"]   # same page, new state


def test_live_map_sends_the_page_only_when_the_browser_lacks_it(fake_backend, page_app):
    from dashboard.map_component import WIDGET_KEY

    at = page_app("20_map").run()
    args = live_map_args(at)
    at.session_state[WIDGET_KEY] = args["map_key"]     # what the component reports once it holds the map
    at.date_input(key=state.AS_OF_KEY).set_value(date(2024, 3, 31)).run()
    again = live_map_args(at)
    assert again["document"] is None and again["map_key"] == args["map_key"]
    assert len(json.dumps(again)) < len(args["document"]) / 10   # only the state vector travels
    at.multiselect(key=state.PROJECTS_KEY).set_value(["AR"]).run()
    other = live_map_args(at)                            # another project filter: another page
    assert other["map_key"] != args["map_key"] and "L.map(" in other["document"]


def test_map_page_is_built_once_per_data_version_and_project_filter(fake_backend, page_app):
    calls = []
    import mapview

    original = mapview.build_map

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(mapview, "build_map", counting)
    try:
        at = page_app("20_map").run()
        at.run()                                         # same date and filters: served from the cache
        assert len(calls) == 1
        at.date_input(key=state.AS_OF_KEY).set_value(date(2024, 5, 1)).run()
        at.multiselect(key=state.STAGES_KEY).set_value(["paid"]).run()
        assert len(calls) == 1                           # a date or a stage filter: a new state only
        at.multiselect(key=state.PROJECTS_KEY).set_value(["AR"]).run()
        assert len(calls) == 2
    finally:
        mp.undo()


def test_parcels_page_table_and_csv(fake_backend, page_app):
    at = page_app("30_parcels").run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert len(table) == 18 and "Thửa đất số" in table.columns
    assert "30/06/2024" in captions(at) and "72.600 m²" in captions(at)   # 12 x 1 050 + 6 x 10 000
    at.multiselect(key=state.COMMUNES_KEY).set_value(["Xã Thụy Hùng"]).run()
    assert len(at.dataframe[0].value) == 6
    # RD parcels i = 6..11 (former Xã Thụy Hùng) at 31/03/2024 (day 90; notice on day 10 i):
    # rank = 1 + (90 - 10 i) // 20 -> 2, 2, 1, 1, then not started for i = 10, 11.
    at.date_input(key=state.AS_OF_KEY).set_value(date(2024, 3, 31)).run()
    stages = at.dataframe[0].value["Giai đoạn"].tolist()
    assert stages == ["Kiểm đếm"] * 2 + ["Thông báo thu hồi đất"] * 2 + ["Chưa triển khai"] * 2
    assert at.get("download_button")


def test_store_failure_shows_vietnamese_message(monkeypatch, main_app):
    import streamlit as st

    def broken(url):
        raise OSError("disk gone")

    monkeypatch.setattr(state, "_open_store", broken)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = main_app().run()
    assert not at.exception
    assert any("Không mở được kho dữ liệu" in e.value for e in at.error)
    st.cache_resource.clear()


def test_blockers_page_at_the_due_date_all_met(fake_backend, page_app):
    at = page_app("15_blockers").run()
    assert not at.exception and not at.error
    assert any("không có điểm nghẽn" in s.value for s in at.success)        # RD 75 %, AR 100 % >= 70 %
    assert "Km sạch" in "\n".join(m.value for m in at.markdown)            # the road's strip is drawn anyway


def test_blockers_page_before_the_due_date(fake_backend, page_app):
    at = page_app("15_blockers").run()
    at.date_input(key=state.AS_OF_KEY).set_value(date(2024, 3, 31)).run()
    assert not at.exception and not at.error
    summary, ranked = at.dataframe[0].value, at.dataframe[1].value
    assert len(summary) == 2                                    # both 70 % milestones unmet on 31/03
    # The selected milestone's list: its shortfall is covered by the last cumulative area, ranks 1..n.
    assert ranked["Thứ tự"].tolist() == [str(k) for k in range(1, len(ranked) + 1)]
    iframe = next(e for e in at.main if getattr(e, "type", "") == "iframe")
    # The sandboxed map numbers each blocking parcel of the selected milestone (a red disc per rank).
    assert 'sandbox="allow-scripts"' in iframe.proto.srcdoc
    assert iframe.proto.srcdoc.count("border-radius:11px") == len(ranked)
    # Overdue actions per body: the open complaint of parcel i = 3 in each project (due 01/03, UBND xã).
    assert at.dataframe[2].value.to_dict("records") == [
        {"Cơ quan": "UBND xã", "Số việc quá hạn": "2", "Quá hạn lâu nhất (ngày)": "30"}]
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert "Km" in json.dumps(spec) and spec["vconcat"]


def test_overview_league_and_commune_filter(fake_backend, page_app):
    at = page_app("10_overview").run()
    league = at.dataframe[0].value
    # RD's communes ranked by gap; at 30/06 every milestone is met: no next milestone, no gap.
    assert set(league["Xã/phường"]) == {"Phường Kỳ Lừa", "Xã Đồng Đăng"} and len(league) == 3
    at.radio(key="overview_league_unit").set_value("former").run()
    assert set(at.dataframe[0].value["Xã/phường"]) == {"Xã Hợp Thành", "Xã Thụy Hùng"}
    at.multiselect(key=state.COMMUNES_KEY).set_value(["Xã Đồng Đăng"]).run()
    assert not at.exception
    assert card_figures(at) == [("0,63 ha", "0,32 ha", "50,0%")]         # RD i = 6..11, of which 6, 7, 8 done
    assert "Bộ lọc đang áp dụng" in captions(at) and "Xã Đồng Đăng" in captions(at)

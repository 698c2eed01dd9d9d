"""The offline map: layers, styles, tooltips, filters, and no CDN in the HTML."""
import re
from datetime import date

import folium
import pandas as pd
import pytest

from mapview import build_map, remote_references, standalone_html
from mapview.elements import ParcelLayer
from mapview.offline import LEAFLET_DIR
from milestones.filters import Filters
from tests.dashboard import synthetic


@pytest.fixture
def snap(fake_store):
    return synthetic.compute_snapshot(fake_store, date(2024, 6, 30))


def unescape(html: str) -> str:
    """The HTML with JSON ``\\uXXXX`` escapes decoded (folium writes non-ASCII strings that way)."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda mt: chr(int(mt.group(1), 16)), html)


def layer(m: folium.Map, name: str) -> folium.GeoJson | ParcelLayer:
    for child in m._children.values():
        if isinstance(child, (folium.GeoJson, ParcelLayer)) and child.layer_name == name:
            return child
    raise AssertionError(f"no layer {name!r}")


def test_html_is_self_contained(snap, fake_store):
    html = standalone_html(build_map(snap, fake_store))
    # The optional basemap (off by default) carries OpenStreetMap's attribution link, nothing else does.
    assert remote_references(html, links=False) == []
    assert [link for link in remote_references(html) if "openstreetmap.org" not in link] == []
    assert not re.search(r"<(script|link)[^>]+(src|href)=", html)      # nothing linked at all
    assert (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")[:2000] in html
    assert "data:image/png;base64," in html                            # CSS images inlined
    # folium's class defaults are untouched: another plain folium map still links its CDNs.
    assert "cdn.jsdelivr.net" in folium.Map(tiles=None).get_root().render()


def test_remote_references_detects_cdn_links():
    plain = folium.Map(tiles=None).get_root().render()
    found = remote_references(plain)
    assert any("cdn.jsdelivr.net" in f for f in found)


def test_unvendored_plugin_is_refused(snap, fake_store):
    from folium.plugins import MarkerCluster

    m = build_map(snap, fake_store)
    MarkerCluster().add_to(m)
    with pytest.raises(ValueError, match="not vendored"):
        standalone_html(m)


def test_tile_basemap_is_off_by_default(snap, fake_store):
    m = build_map(snap, fake_store)
    tiles = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert len(tiles) == 1 and tiles[0].show is False
    assert not [c for c in build_map(snap, fake_store, tile_basemap=False)._children.values()
                if isinstance(c, folium.TileLayer)]


def test_parcels_layer_stage_risk_and_coordinates(snap, fake_store):
    m = build_map(snap, fake_store)
    feats = layer(m, "Thửa đất theo giai đoạn").geojson()["features"]
    assert len(feats) == 18
    # By construction: RD parcels 0..8 handed over (rank 6), 9-10 paid (5), 11 approved (4).
    rd = sorted((f for f in feats if f["properties"]["k"]),          # only RD parcels have a chainage
                key=lambda f: f["geometry"]["coordinates"][0][0][0])
    assert [f["properties"]["s"] for f in rd] == [6] * 9 + [5, 5, 4]
    assert sum(f["properties"]["r"] for f in feats) == 2
    # E 440 000 m on the 107°15' TM-3 zone is ~60 km west of the central meridian: lon ≈ 106.67, lat ≈ 21.88.
    lon, lat = rd[0]["geometry"]["coordinates"][0][0]
    assert lon == pytest.approx(106.67, abs=0.01) and lat == pytest.approx(21.88, abs=0.02)
    for f in feats:
        for x, y in f["geometry"]["coordinates"][0]:
            assert round(x, 6) == x and round(y, 6) == y


def test_parcel_tooltip_properties(snap, fake_store):
    from mapview.parcels import parcel_properties

    props, tables = parcel_properties(snap.parcels, fake_store.projects())
    row = props[snap.parcels["parcel_number"] == 103].iloc[0]
    assert tables["communes"][row["c"]] == ["Phường Kỳ Lừa", "Xã Hợp Thành"]
    assert tables["projects"][row["p"]] == "Đường RD"
    assert (row["m"], row["n"], row["u"]) == (1, 103, "CLN")          # land use cycles LUC, BHK, ONT, CLN
    assert row["a"] == "1.050" and row["k"] == "Km1+750"
    assert tables["stages"][row["s"]] == "Bàn giao mặt bằng"
    assert row["d"] == "10/05/2024"                                    # 01/01 + 30 + 5 x 20 days
    assert [tables["flags"][i] for i in row["f"]] == ["Khiếu nại chưa giải quyết"]
    assert row["x"] == 3                                               # illustrative + approximate project
    ar = props[snap.parcels["parcel_number"] == 200].iloc[0]
    assert pd.isna(ar["k"]) and ar["x"] == 1 and ar["f"] == []


def test_approximate_geometries_are_marked(snap, fake_store):
    m = build_map(snap, fake_store)
    boundaries = layer(m, "Chỉ giới GPMB").geojson()["features"]
    assert sorted(f["properties"]["a"] for f in boundaries) == [0, 1]
    assert any("Gần đúng" in f["properties"]["t"] for f in boundaries)
    html = unescape(standalone_html(m))
    assert "dashArray: (p.a ?" in html
    assert "Nét đứt: vị trí gần đúng" in html


def test_kilometre_markers_and_labels(snap, fake_store):
    m = build_map(snap, fake_store)
    group = next(c for c in m._children.values() if isinstance(c, folium.FeatureGroup)
                 and c.layer_name == "Tim tuyến, mốc lý trình")
    layers = [c for c in group._children.values() if isinstance(c, folium.GeoJson)]
    points = [f for g in layers[1:] for f in g.geojson()["features"]]
    assert len(points) == 7                                        # Km0 … Km6 on a 6 000 m centreline
    labels = sorted(f["properties"]["t"] for f in layers[-1].geojson()["features"])
    assert labels == ["Đường RD Km0", "Đường RD Km5"]              # permanent labels every 5 km


def test_words_come_from_codes_not_from_display_columns(snap, fake_store):
    """The snapshot may or may not carry display text (``stage_label``, ``risk_labels``): the map is the
    same either way, and every flag label is the vocabulary's label of its code."""
    from mapview.parcels import parcel_properties
    from vocab.labels import risk_flag_label

    bare = snap.parcels.drop(columns=[c for c in ("stage_label", "risk_labels") if c in snap.parcels])
    bare = bare.assign(risk_labels=[["mislabelled"] * len(f) for f in bare["risk_flags"]])  # ignored
    props, tables = parcel_properties(bare, fake_store.projects())
    codes = {code for flags in snap.parcels["risk_flags"] for code in flags}
    assert codes and sorted(tables["flags"]) == sorted(risk_flag_label(c) for c in codes)
    for flags, idx in zip(bare["risk_flags"], props["f"]):
        assert [tables["flags"][i] for i in idx] == [risk_flag_label(c) for c in flags]
    # element ids are random, and so are the script hashes of the CSP that cover them
    ids = re.compile(r"(_|gpmb-)[0-9a-f]{32}|'sha256-[A-Za-z0-9+/=]+'|&#x27;sha256-[A-Za-z0-9+/=]+&#x27;")
    with_text = ids.sub("ID", standalone_html(build_map(snap, fake_store)))
    import dataclasses
    without = ids.sub("ID", standalone_html(build_map(dataclasses.replace(snap, parcels=bare), fake_store)))
    assert with_text == without


def test_areas_and_dates_use_the_vocabulary_formats(snap, fake_store):
    from mapview.parcels import parcel_properties
    from vocab.format import fmt_date, fmt_number

    parcels = snap.parcels.head(3).copy()
    parcels["area_to_recover_m2"] = [1234567.5, None, 0.4]
    parcels["stage_date"] = [pd.Timestamp("2024-02-29"), pd.NaT, pd.Timestamp("2024-12-01")]
    props, _ = parcel_properties(parcels, fake_store.projects())

    def texts(column):  # a missing value is written as JSON null, whatever pandas stores it as
        return [None if pd.isna(v) else v for v in props[column]]

    assert texts("a") == [fmt_number(1234567.5), None, "0"] and texts("a")[0] == "1.234.568"
    assert texts("d") == [fmt_date(date(2024, 2, 29)), None, "01/12/2024"]


@pytest.mark.parametrize("short_name, expected", [
    ("QL4B Km3+700 – Km18", "QL4B"),
    ("Cao tốc Hữu Nghị – Chi Lăng", "Cao tốc"),
    (None, "CT_HNCL"),
])
def test_route_prefix_of_kilometre_labels(short_name, expected):
    from mapview.context import route_prefix

    assert route_prefix(short_name, "CT_HNCL") == expected


def test_filters_limit_parcels_and_project_layers(snap, fake_store):
    m = build_map(snap, fake_store, Filters(project_ids=("AR",)))
    assert len(layer(m, "Thửa đất theo giai đoạn").geojson()["features"]) == 6
    assert len(layer(m, "Chỉ giới GPMB").geojson()["features"]) == 1
    m = build_map(snap, fake_store, {"stages": ["paid"]})
    assert len(layer(m, "Thửa đất theo giai đoạn").geojson()["features"]) == 2


def test_legend_title_and_commune_labels(snap, fake_store):
    html = unescape(standalone_html(build_map(snap, fake_store)))
    assert "Tiến độ GPMB tại ngày 30/06/2024" in html
    assert "18 thửa đang hiển thị" in html
    assert "Bàn giao mặt bằng (15)" in html                         # 9 RD + 6 AR handed over
    assert "Phường Kỳ Lừa" in html and "Ranh giới xã, phường (2025)" in html


def test_empty_view_still_renders(snap, fake_store):
    m = build_map(snap, fake_store, Filters(stages=("notice",)))
    html = unescape(standalone_html(m))
    assert "<br>0 thửa đang hiển thị" in html


def test_names_with_template_or_script_syntax_are_inert(snap, fake_store):
    fake_store._communes.loc[0, "full_name"] = "Xã {{ x }} {% if %} </script><b>"
    html = standalone_html(build_map(snap, fake_store))
    assert html.count("</script>") == html.count("<script")           # no tag closed early by data
    assert "{{ x }}" in unescape(html) or "{{ x }}" in html            # kept as text, not evaluated
    communes = layer(build_map(snap, fake_store), "Ranh giới xã, phường (2025)").geojson()["features"]
    assert communes[0]["properties"]["t"] == "Xã {{ x }} {% if %} &lt;/script&gt;&lt;b&gt;"


def test_static_layers_are_converted_once_per_data_version(snap, fake_store, monkeypatch):
    calls = []
    original = fake_store.communes
    monkeypatch.setattr(fake_store, "communes", lambda: calls.append(1) or original())
    build_map(snap, fake_store)
    build_map(snap, fake_store, Filters(stages=("paid",)))
    assert len(calls) == 1
    fake_store.version = 2                                             # e.g. a new upload
    build_map(snap, fake_store)
    assert len(calls) == 2


# Exports' check (exports/html.py REMOTE_LINK): any src/href to the network, also inside JS strings.
ANY_REMOTE_ADDRESS = re.compile(r"""(?:src|href)\s*=\s*\\?["']?\s*(?:https?:)?//""", re.IGNORECASE)


def test_without_basemap_the_page_has_no_network_address_at_all(snap, fake_store):
    html = standalone_html(build_map(snap, fake_store, tile_basemap=False))
    assert remote_references(html) == []
    assert ANY_REMOTE_ADDRESS.findall(html) == []
    assert "{z}" not in html
    # Leaflet's attribution prefix is kept, without its link; its licence comment stays in the source.
    assert '<a title="A JavaScript library for interactive maps">' in html
    assert "Leaflet 1.9.4, a JS library for interactive maps" in html
    assert (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8").count('href="https://leafletjs.com"') == 1


def test_remote_references_lists_links_in_markup_and_in_scripts():
    page = ('<p><a class="x" href="https://example.org/a">a</a></p>'
            '<script>var t = "\\u003ca href=\\"http://example.net/b\\"\\u003eb\\u003c/a\\u003e";</script>'
            '<a href="#local">c</a><a href="data:text/plain,x">d</a>')
    found = remote_references(page)
    assert len(found) == 2
    assert "example.org/a" in found[0] and "example.net/b" in found[1]
    assert remote_references(page, links=False) == []


def test_a_link_is_refused_in_a_map_without_basemap(snap, fake_store):
    m = build_map(snap, fake_store, tile_basemap=False)
    m.get_root().html.add_child(folium.Element('<a href="https://example.org">nguồn</a>'))
    with pytest.raises(RuntimeError, match="references the network"):
        standalone_html(m)


def test_personal_data_only_when_asked(snap, fake_store):
    owners = [str(o) for o in fake_store.parcels()["owner_name"]]
    plain = unescape(standalone_html(build_map(snap, fake_store)))
    assert not any(o in plain for o in owners)
    with_owner = build_map(snap, fake_store, include_personal_data=True)
    props = {f["properties"]["n"]: f["properties"] for f in layer(with_owner, "Thửa đất theo giai đoạn").geojson()["features"]}
    assert props[103]["o"] == "Hộ 003" and props[200]["o"] == "Hộ 012"
    html = unescape(standalone_html(with_owner))
    assert all(o in html for o in owners)
    assert "Người sử dụng đất" in html
    # Owner names are escaped like every other text.
    snap.parcels.loc[snap.parcels.index[0], "owner_name"] = "<b>Bà A</b>"
    props = layer(build_map(snap, fake_store, include_personal_data=True), "Thửa đất theo giai đoạn").geojson()
    assert any(f["properties"]["o"] == "&lt;b&gt;Bà A&lt;/b&gt;" for f in props["features"])


def test_legend_counts_every_stage_and_marks_approximate_only_when_present():
    from mapview.legend import legend_html
    from vocab.labels import STAGE_LABELS_VI

    text = legend_html({"paid": 1234, "handed_over": 2}, n_risk=7, has_approximate=False)
    for stage, label in STAGE_LABELS_VI.items():
        count = {"paid": "1.234", "handed_over": "2"}.get(stage, "0")
        assert f"{label} ({count})" in text
    assert "7 thửa có rủi ro" in text and "Nét đứt" not in text
    assert "Nét đứt" in legend_html({}, 0, has_approximate=True)


def test_feature_script_modes():
    from mapview.scripts import each_feature_js

    permanent = str(each_feature_js(None, tooltip="permanent", label_class="x-label").js_code)
    assert "permanent: true" in permanent and 'className: "x-label"' in permanent and "setStyle" not in permanent
    hover = str(each_feature_js("{color: 'red'}", tooltip=None, hover=True).js_code)
    assert "bindTooltip" not in hover and "mouseover" in hover and "var st = {color: 'red'};" in hover
    with pytest.raises(KeyError):
        each_feature_js(None, tooltip="popup")


def test_a_store_without_data_version_is_never_cached():
    from mapview.cache import StoreMemo

    class NoVersion:
        def data_version(self):
            raise RuntimeError("no version table")

    calls = []
    memo = StoreMemo(NoVersion())
    assert memo.version is None
    assert [memo.get(("k",), lambda: calls.append(1) or len(calls)) for _ in range(2)] == [1, 2]


def test_blockers_map_numbers_the_blocking_parcels_before_the_layer_control(fake_store):
    """The layer control's script names the layers: the blocking layer must be defined before it (else the
    browser stops at an undefined layer and draws no number)."""
    import re
    from datetime import date

    from mapview import standalone_html
    from mapview.blockers import blockers_map
    from tests.dashboard import synthetic

    snap = synthetic.compute_snapshot(fake_store, date(2024, 3, 31))
    html = standalone_html(blockers_map(snap, fake_store, "RD-1"))
    rows = snap.blockers[snap.blockers["milestone_id"] == "RD-1"]
    assert [int(n) for n in re.findall(r"border-radius:11px[^>]*\\u003e(\d+)\\u003c", html)] == rows["rank"].tolist()
    defined = {m.group(1): m.start() for m in re.finditer(r"var (feature_group_\w+) = L\.featureGroup", html)}
    control = html.index("L.control.layers(")
    assert defined and all(at < control for at in defined.values()), "a layer is defined after the layer control"

"""The overview's S-curve spec, filled from a template, is the spec Altair builds and validates."""
from __future__ import annotations

import copy
import importlib
from datetime import date

import altair as alt
import pandas as pd
import pytest

overview = importlib.import_module("dashboard.pages.10_overview")


def _inline(spec: dict) -> dict:
    """The spec with each layer's data as its list of rows, whether named (Altair: ``datasets`` keyed by
    a hash) or inline (``{"values": rows}``)."""
    spec = copy.deepcopy(spec)
    datasets = spec.pop("datasets", {})
    for layer in spec["layer"]:
        data = layer["data"]
        layer["data"] = datasets[data["name"]] if "name" in data else data["values"]
    return spec


@pytest.fixture
def curve():
    dates = pd.date_range("2023-10-02", periods=40, freq="7D")
    actual = [min(100.0, 2.5 * i) if d <= pd.Timestamp("2024-05-20") else float("nan") for i, d in enumerate(dates)]
    return pd.DataFrame({"date": dates, "planned_percent": [min(100.0, 3.0 * i) for i in range(40)],
                         "actual_percent": actual})


@pytest.mark.parametrize("with_targets", [True, False])
def test_template_spec_equals_altair_spec(curve, with_targets):
    targets = pd.DataFrame({"due_date": [date(2024, 6, 30), date(2024, 12, 31)], "target_percent": [70.0, 100.0],
                            "label": ["70% trước 30/06/2024", "100% trước 31/12/2024"], "status": ["behind", "on_track"]})
    if not with_targets:
        targets = targets.iloc[:0]
    as_of = date(2024, 5, 20)
    fast = overview._s_curve_spec(curve, targets, as_of)
    reference = overview._s_curve_chart(curve, targets, as_of).to_dict()   # validated by Altair
    assert _inline(fast) == _inline(reference)
    alt.LayerChart.from_dict(fast)          # the filled spec itself passes the Vega-Lite schema
    rows = [layer["data"]["values"] for layer in fast["layer"]]
    assert rows[1] == [{"Ngày": "2024-05-20T00:00:00", "t": "Ngày số liệu 20/05/2024"}]
    actual = [r for r in rows[0] if r["Đường"] == "Thực hiện"]
    assert len(actual) == int(curve["actual_percent"].notna().sum())
    assert len(fast["layer"]) == (3 if with_targets else 2)


def test_template_is_not_modified_by_filling(curve):
    empty = pd.DataFrame(columns=["due_date", "target_percent", "label", "status"])
    first = overview._s_curve_spec(curve, empty, date(2024, 1, 1))
    overview._s_curve_spec(curve.iloc[:3], empty, date(2024, 2, 1))
    template = overview._s_curve_template(False)
    assert "datasets" not in template and all("data" not in layer for layer in template["layer"])
    assert first["layer"][1]["data"]["values"][0]["t"] == "Ngày số liệu 01/01/2024"

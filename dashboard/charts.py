"""Altair (Vega-Lite) spec of the chainage strip of a road project (no Streamlit, no computation).

The strip (:class:`milestones.chainage_strip.ChainageStrip`) is drawn as three rows sharing one chainage
axis from the section start to its end: the bands coloured by % handed over (grey: nothing to recover),
the blocking parcels per band (triangles sized by count), and the commune stretches; km ticks read
``Km3+700``.
"""
from __future__ import annotations

import math

import altair as alt
import pandas as pd

from exports.figure_tables import km_text
from milestones.chainage_strip import ChainageStrip
from vocab.format import fmt_number, fmt_pct

#: Colours of the % handed over: red (0 %) → amber → green (100 %); grey for a band with nothing to recover.
PERCENT_RANGE = ["#c62828", "#f9a825", "#2e7d32"]
EMPTY_BAND = "#e0e0e0"
WIDTH_PX = 900

#: Vega expression writing an axis value (metres) as ``Km3+700``.
KM_LABEL = "'Km' + floor(datum.value / 1000) + '+' + pad(toString(round(datum.value % 1000)), 3, '0', 'left')"


def km_ticks(start_m: float, end_m: float) -> list[float]:
    """Tick values: the section start and end, and every whole km (every 500 m under 3 km) between them."""
    step = 500.0 if end_m - start_m < 3000 else 1000.0
    inner = [step * k for k in range(math.ceil(start_m / step), math.floor(end_m / step) + 1)]
    ticks = sorted({float(start_m), *inner, float(end_m)})
    # drop an inner tick too close to an end (its label would overprint the end's)
    return [t for t in ticks if t in (start_m, end_m) or min(t - start_m, end_m - t) >= step / 4]


def strip_frames(strip: ChainageStrip) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The data of the three rows: bands, blocking marks (bands with ≥ 1 blocking parcel), commune stretches."""
    b = strip.bands
    bands = pd.DataFrame({
        "from_m": b["band_from_m"], "to_m": b["band_to_m"], "percent": b["percent_handed_over"],
        "Đoạn": [f"{km_text(f)} – {km_text(t)}" for f, t in zip(b["band_from_m"], b["band_to_m"])],
        "Tỷ lệ bàn giao": [fmt_pct(v) if v == v else "Không có diện tích thu hồi" for v in b["percent_handed_over"]],
        "Số thửa": [fmt_number(n) for n in b["parcels"]],
        "Thửa điểm nghẽn": [fmt_number(n) for n in b["blocking_parcels"]],
    })
    marks = bands[b["blocking_parcels"].to_numpy() > 0].assign(
        mid_m=lambda d: (d["from_m"] + d["to_m"]) / 2, n=b.loc[b["blocking_parcels"] > 0, "blocking_parcels"].to_numpy())
    c = strip.communes.dropna(subset=["commune"])
    communes = pd.DataFrame({"from_m": c["from_m"], "to_m": c["to_m"], "Xã/phường": c["commune"].astype(str),
                             "mid_m": (c["from_m"] + c["to_m"]) / 2,
                             "Đoạn": [f"{km_text(f)} – {km_text(t)}" for f, t in zip(c["from_m"], c["to_m"])]})
    return bands, marks, communes


def strip_chart(strip: ChainageStrip) -> alt.VConcatChart:
    """The strip as a Vega-Lite chart (Vietnamese titles and tooltips, ``Km3+700`` ticks)."""
    bands, marks, communes = strip_frames(strip)
    x = alt.X("from_m:Q", scale=alt.Scale(domain=[strip.section_from_m, strip.section_to_m], nice=False),
              axis=alt.Axis(values=km_ticks(strip.section_from_m, strip.section_to_m), labelExpr=KM_LABEL,
                            title="Lý trình", grid=False))
    filled = alt.Chart(bands[bands["percent"].notna()]).mark_rect(stroke="white", strokeWidth=0.3).encode(
        x=x, x2="to_m:Q",
        color=alt.Color("percent:Q", scale=alt.Scale(domain=[0, 50, 100], range=PERCENT_RANGE),
                        legend=alt.Legend(title="% đã bàn giao", orient="right")),
        tooltip=["Đoạn:N", "Tỷ lệ bàn giao:N", "Số thửa:N", "Thửa điểm nghẽn:N"])
    empty = alt.Chart(bands[bands["percent"].isna()]).mark_rect(color=EMPTY_BAND).encode(
        x=x, x2="to_m:Q", tooltip=["Đoạn:N", "Tỷ lệ bàn giao:N"])
    band_row = alt.layer(empty, filled).properties(width=WIDTH_PX, height=46, title="Tỷ lệ bàn giao theo đoạn")
    mark_x = alt.X("mid_m:Q", scale=alt.Scale(domain=[strip.section_from_m, strip.section_to_m], nice=False),
                   axis=None)
    blocking = alt.Chart(marks).mark_point(shape="triangle-down", filled=True, color="#b71c1c").encode(
        x=mark_x, size=alt.Size("n:Q", legend=alt.Legend(title="Số thửa điểm nghẽn", orient="right")),
        tooltip=["Đoạn:N", "Thửa điểm nghẽn:N"]).properties(width=WIDTH_PX, height=28, title="Thửa điểm nghẽn")
    cx = alt.X("from_m:Q", scale=alt.Scale(domain=[strip.section_from_m, strip.section_to_m], nice=False), axis=None)
    stretch = alt.Chart(communes).mark_rect(opacity=0.35, stroke="#455a64").encode(
        x=cx, x2="to_m:Q", color=alt.Color("Xã/phường:N", legend=None), tooltip=["Xã/phường:N", "Đoạn:N"])
    names = alt.Chart(communes).mark_text(fontSize=11, color="#263238").encode(
        x=alt.X("mid_m:Q", scale=alt.Scale(domain=[strip.section_from_m, strip.section_to_m], nice=False), axis=None),
        text="Xã/phường:N")
    commune_row = alt.layer(stretch, names).properties(width=WIDTH_PX, height=30, title="Địa bàn xã, phường")
    return alt.vconcat(commune_row, blocking, band_row, spacing=6).resolve_scale(color="independent", size="independent")


__all__ = ["KM_LABEL", "km_ticks", "strip_chart", "strip_frames"]

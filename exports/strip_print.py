"""The chainage strip of a road project drawn on a print page (matplotlib), for the PDF export.

Three rows along one chainage axis (the section start to its end, ticks ``Km3+700``): the commune
stretches, the blocking parcels per band (red triangles with their count) and the bands coloured by %
handed over (red 0 % → amber → green 100 %, grey: nothing to recover); "km sạch" and the longest clean
stretch in the heading. The same strip as the dashboard's (:mod:`milestones.chainage_strip`).
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from exports.figure_tables import clean_text, km_text
from milestones.chainage_strip import ChainageStrip

#: Same colours as the dashboard's strip (``dashboard.charts.PERCENT_RANGE``).
PERCENT_CMAP = LinearSegmentedColormap.from_list("handed_over", ["#c62828", "#f9a825", "#2e7d32"])
EMPTY_BAND = "#e0e0e0"
#: Counts are written above the triangles only when the bands are few enough to leave room.
LABELLED_BANDS_MAX = 120
_COMMUNE_FILLS = ("#e3f2fd", "#fff3e0", "#e8f5e9", "#f3e5f5", "#fffde7", "#e0f7fa")


def _ticks(start: float, end: float) -> list[float]:
    step = 1000.0 if end - start <= 20_000 else 5000.0
    inner = [step * k for k in range(math.ceil(start / step), math.floor(end / step) + 1)]
    return sorted({start, end, *[t for t in inner if min(t - start, end - t) >= step / 3]})


def draw_strip(ax, strip: ChainageStrip, font: float) -> None:
    """Draw ``strip`` on ``ax`` (data units: metres along x; rows at y 0–1 bands, 1.2–1.7 blocking, 1.9–2.5 communes)."""
    b = strip.bands
    width = (b["band_to_m"] - b["band_from_m"]).to_numpy()
    pct = b["percent_handed_over"].to_numpy(dtype=float)
    colours = [EMPTY_BAND if np.isnan(v) else PERCENT_CMAP(v / 100.0) for v in pct]
    ax.bar(b["band_from_m"], 1.0, width=width, align="edge", color=colours, edgecolor="white", linewidth=0.2)
    blocked = b[b["blocking_parcels"] > 0]
    mids = (blocked["band_from_m"] + blocked["band_to_m"]) / 2
    ax.scatter(mids, np.full(len(blocked), 1.35), marker="v", color="#b71c1c", s=18 + 6 * blocked["blocking_parcels"])
    for x, n in zip(mids, blocked["blocking_parcels"]) if len(b) <= LABELLED_BANDS_MAX else ():
        ax.text(x, 1.55, str(int(n)), ha="center", va="bottom", fontsize=font * 0.55, color="#b71c1c")
    for k, c in enumerate(strip.communes.dropna(subset=["commune"]).to_dict("records")):
        ax.add_patch(_rect(c["from_m"], 1.9, c["to_m"] - c["from_m"], 0.6, _COMMUNE_FILLS[k % len(_COMMUNE_FILLS)]))
        ax.text((c["from_m"] + c["to_m"]) / 2, 2.2, str(c["commune"]), ha="center", va="center", fontsize=font * 0.7,
                clip_on=True)
    ax.set_xlim(strip.section_from_m, strip.section_to_m)
    ax.set_ylim(-0.05, 2.6)
    ticks = _ticks(strip.section_from_m, strip.section_to_m)
    ax.set_xticks(ticks, [km_text(t) for t in ticks], fontsize=font * 0.7, rotation=45, ha="right")
    ax.set_yticks([0.5, 1.4, 2.2], ["% bàn giao", "Thửa điểm nghẽn", "Xã, phường"], fontsize=font * 0.75)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _rect(x: float, y: float, w: float, h: float, colour: str):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="#607d8b", linewidth=0.5)


def draw_colour_key(ax, font: float) -> None:
    """A horizontal colour bar 0–100 % with the grey "no area" patch."""
    gradient = np.linspace(0, 1, 256).reshape(1, -1)
    ax.imshow(gradient, aspect="auto", cmap=PERCENT_CMAP, extent=(0, 100, 0, 1))
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=font * 0.7)
    ax.set_yticks([])
    ax.set_title("Tỷ lệ diện tích đã bàn giao của đoạn (xám: không có diện tích thu hồi)", fontsize=font * 0.75,
                 loc="left")


__all__ = ["clean_text", "draw_colour_key", "draw_strip"]

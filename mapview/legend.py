"""The title box and the legend drawn inside the map (so the exported HTML carries them too).

Stage names come from :data:`vocab.labels.STAGE_LABELS_VI`, counts from :func:`vocab.format.fmt_number`.
"""
from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date

from domain.stages import STAGES
from mapview.people import MARKER_KINDS
from mapview.style import BOUNDARY_COLOUR, CENTRELINE_COLOUR, COMMUNE_EDGE, COMMUNE_FILL, RISK_COLOUR, ROAD_COLOUR
from vocab.format import fmt_date, fmt_number
from vocab.labels import STAGE_COLOURS, STAGE_LABELS_VI


def title_html(as_of: date, n_parcels: int, illustrative: bool) -> str:
    """"Tiến độ GPMB tại ngày dd/mm/yyyy", the number of parcels shown, and a note if they are illustrative."""
    return (f"<b>Tiến độ GPMB tại ngày {fmt_date(as_of)}</b><br>{fmt_number(n_parcels)} thửa đang hiển thị"
            + (" · <i>thửa đất minh họa</i>" if illustrative else ""))


def _line(style: str, text: str) -> str:
    return f"<div><span class='ln' style='border-top:{style}'></span>{text}</div>"


def _stage_rows(counts: Mapping[str, int]) -> list[str]:
    rows = ["<div><b>Giai đoạn GPMB</b> (số thửa)</div>"]
    rows += [f"<div><span class='sw' style='background:{STAGE_COLOURS[stage]}'></span>"
             f"{html.escape(STAGE_LABELS_VI[stage])} ({fmt_number(counts.get(stage, 0))})</div>" for stage in STAGES]
    return rows


def _risk_rows(n_risk: int) -> list[str]:
    return ["<div style='margin-top:4px'><b>Rủi ro tiến độ</b></div>",
            (f"<div><span class='sw' style='background:#fff;border:2px solid {RISK_COLOUR}'></span>"
             f"<span class='dot' style='margin-left:-4px'></span>{fmt_number(n_risk)} thửa có rủi ro</div>"),
            ("<div style='font-size:11px;color:#616161'>khiếu nại, cưỡng chế, tồn đọng quá hạn, "
             "dự án chậm mốc</div>")]


def _marker_rows(marked: Mapping[str, int]) -> list[str]:
    rows = ["<div style='margin-top:4px'><b>Hộ dân, đơn thư</b> (số thửa)</div>"]
    rows += [f"<div><span class='dot' style='background:{colour};border:1px solid #fff;box-shadow:0 0 0 1px #9e9e9e'>"
             f"</span>{html.escape(name)} ({fmt_number(marked.get(kind, 0))})</div>"
             for kind, name, colour, _ in MARKER_KINDS]
    return rows


def _line_rows(has_approximate: bool) -> list[str]:
    rows = ["<div style='margin-top:4px'><b>Ranh giới, tuyến</b></div>",
            _line(f"2.5px solid {BOUNDARY_COLOUR}", "Chỉ giới GPMB"),
            _line(f"2.5px solid {CENTRELINE_COLOUR}", "Tim tuyến, mốc Km")]
    if has_approximate:
        rows.append(_line(f"2.5px dashed {BOUNDARY_COLOUR}", "Nét đứt: vị trí gần đúng (chưa có hồ sơ chính thức)"))
    rows.append(f"<div><span class='sw' style='background:{COMMUNE_FILL};border-color:{COMMUNE_EDGE}'></span>"
                "Ranh giới xã, phường (2025)</div>")
    rows.append(f"<div><span class='ln' style='border-top:2.5px solid {ROAD_COLOUR}'></span>Quốc lộ, tỉnh lộ"
                "&nbsp;<span class='ln' style='border-top:2px dashed #212121'></span>Đường sắt</div>")
    return rows


def legend_html(counts: Mapping[str, int], n_risk: int, has_approximate: bool,
                marked: Mapping[str, int] | None = None) -> str:
    """The collapsible legend: every stage with its parcel count (``counts``: stage code → parcels), the
    number of at-risk parcels, the people-side markers with their parcel counts (``marked``: marker kind of
    :data:`mapview.people.MARKER_KINDS` → parcels; no entry when None), then boundaries and lines (the
    dashed entry only if ``has_approximate``)."""
    people = _marker_rows(marked) if marked is not None else []
    rows = ["<details open><summary>Chú giải</summary>", *_stage_rows(counts), *_risk_rows(n_risk), *people,
            *_line_rows(has_approximate), "</details>"]
    return "".join(rows)

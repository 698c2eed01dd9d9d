"""Display tables for the dashboard pages: select and format snapshot columns (no Streamlit, no computation).

Everything here takes the fields of ``milestones.snapshot.Snapshot`` (DATA_MODEL.md) and returns
DataFrames with Vietnamese headers, ready for ``st.dataframe`` or a CSV download.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from domain.stages import STAGES
from gis.chainage import format_chainage
from vocab.format import MISSING, fmt_date, fmt_ha, fmt_number, fmt_pct, is_missing
from vocab.labels import (
    MILESTONE_STATUS_COLOURS,
    STAGE_COLOURS,
    STAGE_LABELS_VI,
    risk_flags_text,
    status_label,
)

#: Parcel table: snapshot column → Vietnamese header (screen and CSV). ``owner_name`` (personal data,
#: Decree 13/2023/NĐ-CP) is deliberately left out.
PARCEL_COLUMNS_VI: dict[str, str] = {
    "project": "Dự án",
    "commune": "Xã/phường (từ 01/07/2025)",
    "commune_former": "Xã/phường/thị trấn cũ",
    "map_sheet": "Tờ bản đồ số",
    "parcel_number": "Thửa đất số",
    "land_use": "Loại đất",
    "area_to_recover_m2": "Diện tích thu hồi (m²)",
    "chainage": "Lý trình",
    "stage": "Giai đoạn",
    "stage_date": "Ngày của giai đoạn",
    "flags": "Cảnh báo rủi ro",
    "household_id": "Mã hộ",
    "parcel_id": "Mã thửa",
}


def _project_names(projects: pd.DataFrame) -> dict[str, str]:
    col = "short_name" if "short_name" in projects.columns else "name"
    if col not in projects.columns:
        return {}
    return {str(k): str(v) for k, v in zip(projects["project_id"], projects[col])}


def _sorted(parcels: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Parcels in the order of ``names`` (the projects table), then former commune, sheet, parcel number."""
    order = {pid: i for i, pid in enumerate(names)}
    key = parcels["project_id"].map(lambda pid: order.get(pid, len(order)))
    cols = [c for c in ("commune_former", "map_sheet", "parcel_number") if c in parcels.columns]
    return parcels.assign(_order=key).sort_values(["_order", "project_id", *cols], kind="stable").drop(columns="_order")


def _chainage(value: Any) -> str:
    return "" if is_missing(value) else format_chainage(float(value))


def parcel_table(parcels: pd.DataFrame, project_names: dict[str, str] | None = None) -> pd.DataFrame:
    """The parcel list with Vietnamese headers and Vietnamese-formatted text values (for the screen).

    Parameters
    ----------
    parcels : DataFrame
        Snapshot parcels (columns of DATA_MODEL.md: ``project_id``, ``commune``, ``commune_former``,
        ``map_sheet``, ``parcel_number``, ``land_use``, ``area_to_recover_m2`` (m²), ``chainage_m`` (m),
        ``stage``, ``stage_date``, ``risk_flags``, ``household_id``, ``parcel_id``).
    project_names : dict, optional
        ``project_id`` → name shown in the "Dự án" column (default: the id).

    Returns
    -------
    DataFrame
        Columns in the order of :data:`PARCEL_COLUMNS_VI` (headers are its values); all values are
        strings (areas ``1.234,5``, dates ``dd/mm/yyyy``, chainage ``Km3+700``), sorted by project (in
        the order of ``project_names``, then by id), former commune, sheet and parcel number.
    """
    names = project_names or {}
    p = _sorted(parcels, names)
    out = pd.DataFrame(index=p.index)
    out["project"] = [names.get(str(x), str(x)) for x in p["project_id"]]
    out["commune"] = p["commune"].astype(str)
    out["commune_former"] = p["commune_former"].fillna("").astype(str) if "commune_former" in p else ""
    out["map_sheet"] = [fmt_number(v) for v in p["map_sheet"]]
    out["parcel_number"] = [fmt_number(v) for v in p["parcel_number"]]
    out["land_use"] = p["land_use"].fillna("").astype(str)
    out["area_to_recover_m2"] = [fmt_number(v, 1) for v in p["area_to_recover_m2"]]
    out["chainage"] = [_chainage(v) for v in p["chainage_m"]] if "chainage_m" in p else ""
    out["stage"] = [STAGE_LABELS_VI.get(s, str(s)) for s in p["stage"]]
    out["stage_date"] = [fmt_date(d) if not is_missing(d) else "" for d in p["stage_date"]]
    out["flags"] = [risk_flags_text(f) for f in p["risk_flags"]] if "risk_flags" in p else ""
    out["household_id"] = p["household_id"].fillna("").astype(str) if "household_id" in p else ""
    out["parcel_id"] = p["parcel_id"].astype(str)
    return out.rename(columns=PARCEL_COLUMNS_VI).reset_index(drop=True)


def parcel_csv(parcels: pd.DataFrame, project_names: dict[str, str] | None = None) -> bytes:
    """The parcel table as CSV bytes in UTF-8 with BOM (``utf-8-sig``), so Excel shows the diacritics.

    Same rows and headers as :func:`parcel_table`, but ``Diện tích thu hồi (m²)`` is a plain number
    with a ``.`` decimal point (one decimal) so spreadsheets can sum it; dates are ``dd/mm/yyyy``.
    """
    table = parcel_table(parcels, project_names)
    header = PARCEL_COLUMNS_VI["area_to_recover_m2"]
    p = _sorted(parcels, project_names or {})
    table[header] = [None if is_missing(v) else round(float(v), 1) for v in p["area_to_recover_m2"]]
    return table.to_csv(index=False).encode("utf-8-sig")


#: Short metric names for the milestone table.
METRIC_SHORT_VI: dict[str, str] = {
    "percent_area_handed_over": "Diện tích bàn giao",
    "percent_households_paid": "Số hộ đã chi trả",
}


def _forecast_text(status: Any, forecast: Any) -> str:
    if status == "met":
        return "Đã đạt"
    if is_missing(forecast):
        return "Chưa dự báo được (chưa có tiến triển gần đây)"
    return fmt_date(forecast)


def milestone_table(milestones: pd.DataFrame, project_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Milestone status table with Vietnamese headers; column ``status`` keeps the code for colouring.

    Parameters
    ----------
    milestones : DataFrame
        Snapshot milestones: ``project_id``, ``label``, ``due_date``, ``metric``, ``target_percent``,
        ``actual_percent``, ``status`` (met | missed | on_track | at_risk | behind), ``forecast_date``,
        ``required_rate_pct_per_day``, ``recent_rate_pct_per_day``.

    Returns
    -------
    DataFrame
        Columns ``Dự án``, ``Mốc``, ``Đo theo``, ``Hạn``, ``Chỉ tiêu``, ``Thực hiện``, ``Trạng thái``,
        ``Dự báo ngày đạt`` (``Đã đạt`` for met milestones), ``Tốc độ cần (%/ngày)`` (``—`` when met),
        ``Tốc độ gần đây (%/ngày)``, plus the raw ``status`` code (hide it on screen), sorted by due date.
    """
    names = project_names or {}
    m = milestones.copy()
    m["_due"] = pd.to_datetime(m["due_date"], dayfirst=True, errors="coerce")
    m = m.sort_values(["_due", "project_id"])
    out = pd.DataFrame({
        "Dự án": [names.get(str(x), str(x)) for x in m["project_id"]],
        "Mốc": m["label"].astype(str),
        "Đo theo": [METRIC_SHORT_VI.get(x, str(x)) for x in m.get("metric", pd.Series("", index=m.index))],
        "Hạn": [fmt_date(d) for d in m["due_date"]],
        "Chỉ tiêu": [fmt_pct(v, 0) for v in m["target_percent"]],
        "Thực hiện": [fmt_pct(v) for v in m["actual_percent"]],
        "Trạng thái": [status_label(s) for s in m["status"]],
        "Dự báo ngày đạt": [_forecast_text(s, d) for s, d in zip(m["status"], m["forecast_date"])],
        "Tốc độ cần (%/ngày)": [MISSING if s == "met" else fmt_number(v, 2)
                                for s, v in zip(m["status"], m["required_rate_pct_per_day"])],
        "Tốc độ gần đây (%/ngày)": [fmt_number(v, 2) for v in m["recent_rate_pct_per_day"]],
        "status": m["status"].astype(str).tolist(),
    })
    return out.reset_index(drop=True)


def status_css(status: str) -> str:
    """CSS for a status cell: background and text colour of :data:`MILESTONE_STATUS_COLOURS`."""
    bg, fg = MILESTONE_STATUS_COLOURS.get(status, ("#ffffff", "#212121"))
    return f"background-color: {bg}; color: {fg}; font-weight: 600"


def project_card(row: pd.Series) -> dict[str, Any]:
    """Figures of one project card, formatted.

    Parameters
    ----------
    row : Series
        A row of ``Snapshot.projects`` (``area_to_recover_m2``, ``area_handed_over_m2``,
        ``percent_handed_over``, ``households_<stage>``, ``households_total``).

    Returns
    -------
    dict
        ``to_recover`` / ``handed_over`` (``"12,35 ha"``), ``percent`` (``"70,0%"``), ``progress``
        (0–1 float for a progress bar), ``households`` (list of (stage label, count text) for the stages
        with at least one household), ``households_total`` (text).
    """
    pct = row.get("percent_handed_over")
    progress = 0.0 if is_missing(pct) else max(0.0, min(1.0, float(pct) / 100.0))
    households = []
    for stage in STAGES:
        n = row.get(f"households_{stage}")
        if not is_missing(n) and int(n) > 0:
            households.append((STAGE_LABELS_VI[stage], fmt_number(n), STAGE_COLOURS[stage]))
    return {
        "to_recover": fmt_ha(row.get("area_to_recover_m2")),
        "handed_over": fmt_ha(row.get("area_handed_over_m2")),
        "remaining": fmt_ha(None if is_missing(row.get("area_to_recover_m2")) else
                            float(row.get("area_to_recover_m2")) - float(row.get("area_handed_over_m2") or 0.0)),
        "percent": fmt_pct(pct),
        "progress": progress,
        "households": households,
        "households_total": fmt_number(row.get("households_total")),
    }


def milestone_badges(milestones: pd.DataFrame, project_id: str, as_of: Any) -> list[tuple[str, str]]:
    """The project's latest milestone due on or before ``as_of`` and its next one after it, for a card.

    Returns
    -------
    list of (text, status code)
        e.g. ``("Hạn 30/06/2024 · 70% diện tích: Đạt", "met")``; project-wide milestones only (scope
        ``project``): those of the latest due date on or before ``as_of`` and of the next due date, in
        due-date order, area milestones before household ones.
    """
    if milestones.empty:
        return []
    # Plain Python over the few rows of one project: pandas filtering/sorting cost ~40 ms per card.
    scopes = milestones["scope"] if "scope" in milestones else pd.Series("project", index=milestones.index)
    dues = pd.to_datetime(milestones["due_date"], dayfirst=True, errors="coerce")
    rows = [(due, int(r["metric"] != "percent_area_handed_over"), i, r)
            for i, (r, due, scope) in enumerate(zip(milestones.to_dict("records"), dues, scopes))
            if r["project_id"] == project_id and (scope if isinstance(scope, str) else "project") == "project"
            and not pd.isna(due)]
    if not rows:
        return []
    day = pd.Timestamp(as_of)
    past = [due for due, *_ in rows if due <= day]
    future = [due for due, *_ in rows if due > day]
    wanted = {max(past)} if past else set()
    wanted |= {min(future)} if future else set()
    out = []
    for due, _, _, r in sorted((row for row in rows if row[0] in wanted), key=lambda row: row[:3]):
        what = "diện tích" if r.get("metric") == "percent_area_handed_over" else "số hộ đã chi trả"
        out.append((f"Hạn {fmt_date(r['due_date'])} · {fmt_pct(r['target_percent'], 0)} {what}: "
                    f"{status_label(r['status'])}", str(r["status"])))
    return out


def commune_table(communes: pd.DataFrame, project_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Progress per project × commune with Vietnamese headers (``Snapshot.communes``)."""
    names = project_names or {}
    c = communes.sort_values([x for x in ("project_id", "commune") if x in communes.columns])
    out = pd.DataFrame({
        "Dự án": [names.get(str(x), str(x)) for x in c["project_id"]],
        "Xã/phường": c["commune"].astype(str),
        "Cần thu hồi": [fmt_ha(v) for v in c["area_to_recover_m2"]],
    })
    if "area_handed_over_m2" in c:
        out["Đã bàn giao"] = [fmt_ha(v) for v in c["area_handed_over_m2"]]
    if "percent_handed_over" in c:
        out["Tỷ lệ"] = [fmt_pct(v) for v in c["percent_handed_over"]]
    if "households_total" in c:
        out["Số hộ"] = [fmt_number(v) for v in c["households_total"]]
    return out.reset_index(drop=True)


__all__ = [
    "PARCEL_COLUMNS_VI",
    "commune_table",
    "milestone_table",
    "parcel_csv",
    "parcel_table",
    "project_card",
    "status_css",
]

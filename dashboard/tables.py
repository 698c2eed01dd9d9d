"""Display tables for the dashboard pages: select and format snapshot columns (no Streamlit, no computation).

Everything here takes the fields of ``milestones.snapshot.Snapshot`` (DATA_MODEL.md) and returns
DataFrames with Vietnamese headers, ready for ``st.dataframe`` or a CSV download.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from domain.milestones import current_milestones
from domain.stages import STAGES
from exports.report_table import parcel_table as parcel_list
from exports.table_files import csv_bytes, xlsx_bytes
from vocab.format import MISSING, fmt_date, fmt_ha, fmt_number, fmt_pct, is_missing
from vocab.headers import PARCEL_HEADERS_VI, PARCEL_LIST_COLUMNS
from vocab.labels import (
    MILESTONE_STATUS_COLOURS,
    STAGE_COLOURS,
    STAGE_LABELS_VI,
    metric_label,
    status_label,
)

#: Screen decimals of the numeric parcel columns (the other columns are text already, dates aside).
_SCREEN_DECIMALS = {"map_sheet": 0, "parcel_number": 0, "area_to_recover_m2": 1}


def _screen_text(code: str, values: pd.Series) -> list[str]:
    """One parcel-list column as screen text: ``1.234,5`` numbers, ``dd/mm/yyyy`` dates, ``""`` missing."""
    if code in _SCREEN_DECIMALS:
        return [fmt_number(v, _SCREEN_DECIMALS[code]) for v in values]
    if code == "stage_date":
        return ["" if is_missing(v) else fmt_date(v) for v in values]
    return values.astype(object).where(values.notna(), "").astype(str).tolist()  # vectorised: 4 000 rows × 9


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
        The rows and headers of :func:`exports.report_table.parcel_table` with the columns of
        ``vocab.headers.PARCEL_LIST_COLUMNS``; all values are strings (areas ``1.234,5``, dates
        ``dd/mm/yyyy``, chainage ``Km3+700``, ``""`` when missing).
    """
    table = parcel_list(parcels, columns=PARCEL_LIST_COLUMNS, project_names=project_names)
    return pd.DataFrame({PARCEL_HEADERS_VI[code]: _screen_text(code, table[PARCEL_HEADERS_VI[code]])
                         for code in PARCEL_LIST_COLUMNS})


def parcel_csv(parcels: pd.DataFrame, project_names: dict[str, str] | None = None) -> bytes:
    """The parcel list as a Vietnamese CSV (``exports.table_files.csv_bytes``: BOM, ``;``, ``1234,5``).

    Same rows and headers as :func:`parcel_table`; numbers stay numbers and dates are ``dd/mm/yyyy``.
    """
    return csv_bytes(parcel_list(parcels, columns=PARCEL_LIST_COLUMNS, project_names=project_names))


def parcel_xlsx(parcels: pd.DataFrame, project_names: dict[str, str] | None = None, *, title: str | None = None) -> bytes:
    """The XLSX twin of :func:`parcel_csv`: the same rows in one sheet ``Thửa đất``."""
    table = parcel_list(parcels, columns=PARCEL_LIST_COLUMNS, project_names=project_names)
    return xlsx_bytes(table, sheet_name="Thửa đất", title=title)


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
        "Đo theo": [metric_label(x, short=True) for x in m.get("metric", pd.Series("", index=m.index))],
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


def milestone_badges(milestones: pd.DataFrame, project_id: str, as_of: Any = None) -> list[tuple[str, str]]:
    """The project's current milestones (one per metric, ``domain.milestones.current_milestones``), for a card.

    Parameters
    ----------
    milestones : DataFrame
        Snapshot milestones (statuses at the snapshot's as-of date): ``project_id``, ``due_date``,
        ``metric``, ``target_percent``, ``status``, optionally ``scope`` and ``milestone_id``.
    project_id : str
    as_of : date, optional
        Unused: the statuses are already those of the snapshot's as-of date (kept for callers).

    Returns
    -------
    list of (text, status code)
        e.g. ``("Hạn 30/06/2024 · 70% diện tích: Đạt", "met")``; project-wide milestones only (scope
        ``project``), area milestone before household one; ``[]`` when the project has none.
    """
    if milestones.empty:
        return []
    mine = milestones[milestones["project_id"] == project_id]
    if "scope" in mine:
        mine = mine[mine["scope"].fillna("project").astype(str) == "project"]
    if mine.empty:
        return []
    current = current_milestones(mine, keys=("metric",))
    current = current.assign(_area_first=current["metric"] != "percent_area_handed_over").sort_values(
        "_area_first", kind="stable")
    out = []
    for r in current.to_dict("records"):
        what = "diện tích" if r.get("metric") == "percent_area_handed_over" else "số hộ đã chi trả"
        text = f"Hạn {fmt_date(r['due_date'])} · {fmt_pct(r['target_percent'], 0)} {what}: {status_label(r['status'])}"
        out.append((text, str(r["status"])))
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
    "commune_table",
    "milestone_badges",
    "milestone_table",
    "parcel_csv",
    "parcel_table",
    "parcel_xlsx",
    "project_card",
    "status_css",
]

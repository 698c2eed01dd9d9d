"""Vietnamese text tables of the issue-11 figures, shared by the dashboard, the XLSX and the Word report.

Each function takes a field of :class:`milestones.snapshot.Snapshot` (or a computation's output) and
returns a DataFrame of strings with Vietnamese headers: words come from ``vocab`` only, figures are not
recomputed here (DATA_MODEL.md, "Computations").
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from gis.chainage import format_chainage
from vocab.format import MISSING, fmt_date, fmt_ha, fmt_m2, fmt_number, fmt_pct, is_missing
from vocab.labels import (
    PLAN_HEADERS_VI,
    body_label,
    has_plan,
    metric_label,
    next_action_label,
    obstacles_text,
    stage_label,
    status_label,
)

#: Headers of :func:`blocking_table`, in order (with a procedure plan, :func:`plan_columns` after ``Số ngày quá hạn``).
BLOCKING_HEADERS: tuple[str, ...] = (
    "Thứ tự", "Thửa", "Xã/phường", "Diện tích (m²)", "Giai đoạn", "Việc tiếp theo", "Cơ quan thực hiện",
    "Hạn", "Số ngày quá hạn", "Vướng mắc", "Diện tích cộng dồn (m²)",
)


def _date_or_missing(value: Any) -> str:
    return MISSING if is_missing(value) else fmt_date(value)


def _ha(area_m2: Any) -> str:
    """Hectares as a bare number (``12,35``) for a column whose header names the unit."""
    return MISSING if is_missing(area_m2) else fmt_number(float(area_m2) / 10_000, 2)


def forecast_range_text(earliest: Any, latest: Any, single: Any = None) -> str:
    """``30/07 – 15/09/2024`` (same year), ``30/12/2024 – 15/01/2025`` or one date; ``""`` when none."""
    if is_missing(earliest) or is_missing(latest):
        return "" if is_missing(single) else fmt_date(single)
    a, b = pd.Timestamp(earliest), pd.Timestamp(latest)
    if a == b:
        return fmt_date(a)
    first = a.strftime("%d/%m") if a.year == b.year else fmt_date(a)
    return f"{first} – {fmt_date(b)}"


def reached_text(row: dict) -> str:
    """``Đạt ngày dd/mm/yyyy`` or ``Đạt muộn ngày dd/mm/yyyy`` from ``met_on``/``reached_late``; ``""`` if not reached."""
    if is_missing(row.get("met_on")):
        return ""
    late = bool(row.get("reached_late")) and not is_missing(row.get("reached_late"))
    return f"{'Đạt muộn' if late else 'Đạt'} ngày {fmt_date(row['met_on'])}"


def forecast_text(row: dict) -> str:
    """The forecast column: the reached date for a reached target, else the range, else "Chưa dự báo được"."""
    reached = reached_text(row)
    if reached:
        return reached
    text = forecast_range_text(row.get("forecast_earliest"), row.get("forecast_latest"), row.get("forecast_date"))
    return text or "Chưa dự báo được (chưa có tiến triển gần đây)"


def status_text(row: dict) -> str:
    """Status label, with "Đạt muộn ngày …" when the target was reached after its due date."""
    reached = reached_text(row)
    return reached if reached.startswith("Đạt muộn") else status_label(row.get("status"))


def _reached(row: dict) -> bool:
    return not is_missing(row.get("met_on"))


def milestone_rows(milestones: pd.DataFrame, project_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Every milestone told truthfully, sorted by due date then project.

    Parameters
    ----------
    milestones : DataFrame
        ``Snapshot.milestones`` (``domain.tables.MILESTONE_STATUS_COLUMNS``: percentages, ``met_on``,
        ``reached_late``, ``forecast_earliest``/``forecast_latest``, ``required_rate_pct_per_day``,
        ``required_rate_ha_per_week``, ``actual_at_due_percent``).

    Returns
    -------
    DataFrame
        ``Dự án``, ``Mốc``, ``Đo theo``, ``Hạn``, ``Chỉ tiêu``, ``Tại hạn`` (value at the due date, ``—``
        before it), ``Hiện nay``, ``Trạng thái``, ``Dự báo / ngày đạt``, ``Tốc độ cần (ha/tuần)``,
        ``Tốc độ cần (%/ngày)`` (``—`` once reached), ``Tốc độ gần đây (%/ngày)``, and the raw ``status`` code.
    """
    names = project_names or {}
    m = milestones.assign(_due=pd.to_datetime(milestones["due_date"], errors="coerce")).sort_values(
        ["_due", "project_id"], kind="stable")
    rows = m.to_dict("records")
    out = pd.DataFrame({
        "Dự án": [names.get(str(r["project_id"]), str(r["project_id"])) for r in rows],
        "Mốc": [str(r.get("label", "")) for r in rows],
        "Đo theo": [metric_label(r.get("metric"), short=True) for r in rows],
        "Hạn": [fmt_date(r["due_date"]) for r in rows],
        "Chỉ tiêu": [fmt_pct(r["target_percent"], 0) for r in rows],
        "Tại hạn": [fmt_pct(r.get("actual_at_due_percent")) for r in rows],
        "Hiện nay": [fmt_pct(r["actual_percent"]) for r in rows],
        "Trạng thái": [status_text(r) for r in rows],
        "Dự báo / ngày đạt": [forecast_text(r) for r in rows],
        "Tốc độ cần (ha/tuần)": [MISSING if _reached(r) else fmt_number(r.get("required_rate_ha_per_week"), 2)
                                 for r in rows],
        "Tốc độ cần (%/ngày)": [MISSING if _reached(r) else fmt_number(r.get("required_rate_pct_per_day"), 2)
                                for r in rows],
        "Tốc độ gần đây (%/ngày)": [fmt_number(r.get("recent_rate_pct_per_day"), 2) for r in rows],
        "status": [str(r["status"]) for r in rows],
    })
    return out


def shortfall_text(summary_row: dict) -> str:
    """A milestone's shortfall in its unit: ``12.345 m² (1,23 ha)``, ``15 hộ`` or ``2 trụ sở``."""
    unit = summary_row.get("unit")
    if unit == "m2":
        return f"{fmt_m2(summary_row.get('shortfall'))} ({fmt_ha(summary_row.get('shortfall'))})"
    word = {"households": "hộ", "sites": "trụ sở"}.get(str(unit), str(unit))
    return f"{fmt_number(summary_row.get('shortfall'))} {word}"


def plan_columns(frame: pd.DataFrame) -> dict[str, list[str]]:
    """The procedure plan columns of ``frame`` (blockers or clocks) as text, headers
    :data:`vocab.labels.PLAN_HEADERS_VI`: the planned date of the next stage and the days behind it (blank when
    not behind); empty when no row has a planned date (no plan: the table of before)."""
    if not has_plan(frame):
        return {}
    rows = frame.to_dict("records")
    return {PLAN_HEADERS_VI["planned_date"]: [_date_or_missing(r["planned_date"]) for r in rows],
            PLAN_HEADERS_VI["days_behind_plan"]: [fmt_number(r["days_behind_plan"]) if r["days_behind_plan"] > 0
                                                  else "" for r in rows]}


def _after(table: pd.DataFrame, header: str, extra: dict[str, list[str]]) -> pd.DataFrame:
    """``table`` with the ``extra`` columns inserted after ``header``."""
    at = list(table.columns).index(header) + 1
    for k, (name, values) in enumerate(extra.items()):
        table.insert(at + k, name, values)
    return table


def blocking_table(blockers: pd.DataFrame) -> pd.DataFrame:
    """One milestone's blocking set (rows of ``Snapshot.blockers``, rank order kept) with :data:`BLOCKING_HEADERS`,
    and the plan columns (:func:`plan_columns`) after ``Số ngày quá hạn`` when the project has a procedure plan.
    ``Cơ quan thực hiện`` is the plan's lead body then (``milestones.procedure_plan``)."""
    rows = blockers.to_dict("records")
    table = pd.DataFrame(dict(zip(BLOCKING_HEADERS, (
        [fmt_number(r["rank"]) for r in rows],
        [str(r["parcel_id"]) for r in rows],
        [str(r.get("commune") or "") for r in rows],
        [fmt_number(r["area_to_recover_m2"], 1) for r in rows],
        [stage_label(r["stage"]) for r in rows],
        [next_action_label(r["next_action"]) for r in rows],
        [body_label(r["responsible"]) for r in rows],
        [_date_or_missing(r["next_deadline"]) for r in rows],
        [fmt_number(r["days_overdue"]) if not is_missing(r["days_overdue"]) and r["days_overdue"] > 0 else ""
         for r in rows],
        [obstacles_text(r["obstacles"]) for r in rows],
        [fmt_number(r["cumulative_area_m2"], 1) for r in rows],
    ))), columns=list(BLOCKING_HEADERS))
    return _after(table, "Số ngày quá hạn", plan_columns(blockers))


def overdue_table(overdue: pd.DataFrame) -> pd.DataFrame:
    """``milestones.clocks.overdue_by_body`` as text: ``Cơ quan``, ``Thửa``, ``Việc``, ``Hạn``, ``Quá hạn (ngày)``,
    then the plan columns (:func:`plan_columns`) when a project has a procedure plan."""
    rows = overdue.to_dict("records")
    table = pd.DataFrame({
        "Cơ quan": [body_label(r["responsible"]) for r in rows],
        "Thửa": [str(r["parcel_id"]) for r in rows],
        "Việc": [next_action_label(r["action"]) for r in rows],
        "Hạn": [_date_or_missing(r["due_on"]) for r in rows],
        "Quá hạn (ngày)": [fmt_number(r["days_overdue"]) for r in rows],
    }, columns=["Cơ quan", "Thửa", "Việc", "Hạn", "Quá hạn (ngày)"])
    return _after(table, "Quá hạn (ngày)", plan_columns(overdue))


def overdue_counts(overdue: pd.DataFrame) -> pd.DataFrame:
    """Per responsible body: ``Cơ quan``, ``Số việc quá hạn``, ``Quá hạn lâu nhất (ngày)``, most actions first."""
    if overdue.empty:
        return pd.DataFrame(columns=["Cơ quan", "Số việc quá hạn", "Quá hạn lâu nhất (ngày)"])
    g = overdue.groupby("responsible").agg(n=("parcel_id", "size"), worst=("days_overdue", "max")).sort_values(
        ["n", "worst"], ascending=False)
    return pd.DataFrame({"Cơ quan": [body_label(b) for b in g.index], "Số việc quá hạn": [fmt_number(n) for n in g["n"]],
                         "Quá hạn lâu nhất (ngày)": [fmt_number(w) for w in g["worst"]]})


def league_table(league: pd.DataFrame, project_names: dict[str, str] | None = None) -> pd.DataFrame:
    """``milestones.league.communes_league`` as text, its rank order kept; ``stale`` as a warning column."""
    names = project_names or {}
    rows = league.to_dict("records")
    return pd.DataFrame({
        "Dự án": [names.get(str(r["project_id"]), str(r["project_id"])) for r in rows],
        "Hạng": [fmt_number(r["rank"]) for r in rows],
        "Xã/phường": [str(r["commune"]) for r in rows],
        "Cần thu hồi (ha)": [_ha(r["area_to_recover_m2"]) for r in rows],
        "Đã bàn giao (ha)": [_ha(r["area_handed_over_m2"]) for r in rows],
        "Tỷ lệ": [fmt_pct(r["percent_handed_over"]) for r in rows],
        "Còn thiếu so với mốc (ha)": [fmt_number(r["gap_ha"], 2) for r in rows],
        "Thửa điểm nghẽn": [fmt_number(r["blocking_parcels"]) for r in rows],
        "Khiếu nại chưa giải quyết": [fmt_number(r["open_complaints"]) for r in rows],
        "Số liệu gửi lần cuối": [_date_or_missing(r["last_count_on"]) for r in rows],
        "Cảnh báo": [("Số liệu cũ " + (f"({fmt_number(r['days_since_last_count'])} ngày)"
                                      if not is_missing(r["days_since_last_count"]) else "(chưa gửi)"))
                     if r["stale"] else "" for r in rows],
    })


def clean_text(strip: Any) -> str:
    """``Km sạch (đã bàn giao hết): 4,50 km · đoạn sạch dài nhất: Km5+200 – Km5+500 (0,30 km)`` of a
    :class:`milestones.chainage_strip.ChainageStrip`."""
    text = f"Km sạch (đã bàn giao hết): {fmt_number(strip.clean_m / 1000, 2)} km"
    if strip.longest_clean_m > 0:
        text += (f" · đoạn sạch dài nhất: {km_text(strip.longest_clean_from_m)} – {km_text(strip.longest_clean_to_m)}"
                 f" ({fmt_number(strip.longest_clean_m / 1000, 2)} km)")
    return text


def km_text(chainage_m: Any) -> str:
    """``Km3+700`` (``—`` when missing), via the one chainage formatter ``gis.chainage.format_chainage``."""
    return MISSING if is_missing(chainage_m) else format_chainage(float(chainage_m))


__all__ = [
    "BLOCKING_HEADERS",
    "blocking_table",
    "clean_text",
    "forecast_range_text",
    "forecast_text",
    "km_text",
    "league_table",
    "milestone_rows",
    "overdue_counts",
    "overdue_table",
    "plan_columns",
    "reached_text",
    "shortfall_text",
    "status_text",
]

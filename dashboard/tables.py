"""Display tables for the dashboard pages: select and format snapshot columns (no Streamlit, no computation).

Everything here takes the fields of ``milestones.snapshot.Snapshot`` (DATA_MODEL.md) and returns
DataFrames with Vietnamese headers, ready for ``st.dataframe`` or a CSV download.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from domain.stages import STAGES
from exports.figure_tables import (
    blocking_table,
    clean_text,
    league_table,
    milestone_rows,
    overdue_counts,
    overdue_table,
    reached_text,
    shortfall_text,
)
from exports.report_table import parcel_table as parcel_list
from exports.table_files import csv_bytes, xlsx_bytes
from milestones.chainage_strip import ChainageStrip
from milestones.clocks import next_quarterly_report_due, overdue_by_body
from milestones.filters import Filters, apply_filters
from milestones.league import communes_league
from milestones.rules import resolve_rules
from vocab.format import fmt_date, fmt_ha, fmt_number, fmt_pct, is_missing
from vocab.headers import PARCEL_HEADERS_VI, PARCEL_LIST_COLUMNS
from vocab.labels import (
    MILESTONE_STATUS_COLOURS,
    STAGE_COLOURS,
    STAGE_LABELS_VI,
    status_label,
)

#: Screen decimals of the numeric parcel columns (the other columns, the parcel number included, are text).
_SCREEN_DECIMALS = {"map_sheet": 0, "area_to_recover_m2": 1}  # parcel_number: a text key (263A)


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


def milestone_table(milestones: pd.DataFrame, project_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Milestone status table told truthfully (:func:`exports.figure_tables.milestone_rows`).

    Parameters
    ----------
    milestones : DataFrame
        Snapshot milestones (``domain.tables.MILESTONE_STATUS_COLUMNS``).

    Returns
    -------
    DataFrame
        ``Dự án``, ``Mốc``, ``Đo theo``, ``Hạn``, ``Chỉ tiêu``, ``Tại hạn`` (value at the due date),
        ``Hiện nay``, ``Trạng thái`` ("Đạt muộn ngày dd/mm/yyyy" when reached late), ``Dự báo / ngày đạt``
        (reached date, or forecast range ``dd/mm – dd/mm/yyyy``), ``Tốc độ cần (ha/tuần)``, ``Tốc độ cần
        (%/ngày)`` (``—`` once reached), ``Tốc độ gần đây (%/ngày)``, plus the raw ``status`` code (hide it on
        screen), sorted by due date.
    """
    return milestone_rows(milestones, project_names)


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
    """Every milestone of the project with its status, for a card (met ones too), by due date.

    Parameters
    ----------
    milestones : DataFrame
        Snapshot milestones (statuses at the snapshot's as-of date): ``project_id``, ``due_date``,
        ``metric``, ``target_percent``, ``status``, optionally ``scope``, ``met_on``, ``reached_late``.
    project_id : str
    as_of : date, optional
        Unused: the statuses are already those of the snapshot's as-of date (kept for callers).

    Returns
    -------
    list of (text, status code)
        e.g. ``("Hạn 30/06/2024 · 70% diện tích: Đạt ngày 24/06/2024", "met")``; a milestone on part of the
        project names its scope; ``[]`` when the project has none.
    """
    if milestones.empty:
        return []
    mine = milestones[milestones["project_id"] == project_id]
    mine = mine.assign(_due=pd.to_datetime(mine["due_date"], errors="coerce")).sort_values("_due", kind="stable")
    out = []
    for r in mine.to_dict("records"):
        what = _BADGE_METRIC.get(r.get("metric"), "diện tích")
        scope = r.get("scope")
        part = "" if is_missing(scope) or str(scope) == "project" else f" ({scope})"
        reached = reached_text(r)
        state_text = reached if reached else status_label(r["status"])
        text = f"Hạn {fmt_date(r['due_date'])} · {fmt_pct(r['target_percent'], 0)} {what}{part}: {state_text}"
        out.append((text, str(r["status"])))
    return out


_BADGE_METRIC = {"percent_area_handed_over": "diện tích", "percent_households_paid": "số hộ đã chi trả",
                 "percent_sites_handed_over": "số trụ sở"}


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


def projects_in_communes(projects: pd.DataFrame, parcels: pd.DataFrame, communes: tuple[str, ...]) -> pd.DataFrame:
    """The project rows with their areas, % and household counts over the chosen communes only.

    Parameters
    ----------
    projects : DataFrame
        ``Snapshot.projects`` (``project_id``, ``name``, …).
    parcels : DataFrame
        ``Snapshot.parcels`` (``commune``, ``commune_former``, ``area_to_recover_m2``, ``stage``, optionally
        ``area_handed_over_m2`` in m²).
    communes : tuple of str
        Commune names (2025 or former, as ``milestones.filters.apply_filters`` matches them); empty: ``projects``.

    Returns
    -------
    DataFrame
        ``projects`` restricted to those with parcels in the communes, with ``area_to_recover_m2``,
        ``area_handed_over_m2`` (m²), ``percent_handed_over`` and ``households_<stage>`` / ``households_total``
        over the communes' parcels (a household at the stage of its least advanced parcel there, the rule of
        ``milestones.tables``; a parcel without ``household_id`` counts as one household).
    """
    if not communes:
        return projects
    chosen = apply_filters(parcels, Filters(communes=tuple(communes)))
    handed = chosen["area_handed_over_m2"] if "area_handed_over_m2" in chosen else \
        chosen["area_to_recover_m2"].where(chosen["stage"] == "handed_over", 0.0)
    sums = chosen.assign(_handed=handed).groupby("project_id").agg(
        area_to_recover_m2=("area_to_recover_m2", "sum"), area_handed_over_m2=("_handed", "sum"))
    stages = _household_stages(chosen)
    out = projects[projects["project_id"].isin(sums.index)].drop(
        columns=[c for c in projects if c.startswith("households_") or c in sums.columns], errors="ignore")
    out = out.join(sums, on="project_id").join(stages.add_prefix("households_"), on="project_id")
    out["households_total"] = out[[f"households_{s}" for s in STAGES]].sum(axis=1)
    out["percent_handed_over"] = 100.0 * out["area_handed_over_m2"] / out["area_to_recover_m2"].where(
        out["area_to_recover_m2"] > 0)
    return out.reset_index(drop=True)


def _household_stages(parcels: pd.DataFrame) -> pd.DataFrame:
    """Households per project × stage code, each at the stage of its least advanced parcel."""
    rank = parcels["stage_rank"] if "stage_rank" in parcels else parcels["stage"].map({s: k for k, s in enumerate(STAGES)})
    who = parcels["household_id"].fillna(parcels["parcel_id"]) if "household_id" in parcels else parcels["parcel_id"]
    least = pd.DataFrame({"project_id": parcels["project_id"], "who": who, "rank": rank}).groupby(
        ["project_id", "who"])["rank"].min().reset_index()
    least["stage"] = [STAGES[int(r)] for r in least["rank"]]
    return pd.crosstab(least["project_id"], least["stage"]).reindex(columns=list(STAGES), fill_value=0)


def filters_note(filters: Filters) -> str:
    """Which sidebar filters the overview applies, and to what (``""`` when none is set)."""
    parts = []
    if filters.communes:
        parts.append(f"Xã/phường: {', '.join(filters.communes)} — áp dụng cho thẻ dự án và bảng xã, phường; "
                     "các mốc, đường cong S và điểm nghẽn là của toàn dự án")
    if filters.stages or filters.at_risk_only:
        parts.append("Giai đoạn / chỉ thửa có rủi ro: chỉ áp dụng cho trang Bản đồ và Danh sách thửa, "
                     "không áp dụng cho trang này")
    return "; ".join(parts)


def report_calendar_text(as_of: Any, rules: dict | None = None) -> str:
    """``Báo cáo quý tiếp theo: hạn 20/09/2024`` (``quarterly_report_day`` of ``rules.yaml``, seed 002)."""
    day = int(resolve_rules(rules)["quarterly_report_day"])
    return f"Báo cáo quý tiếp theo: hạn {fmt_date(next_quarterly_report_due(as_of, day=day))}"


def blocking_summary_table(summary: pd.DataFrame, milestones: pd.DataFrame,
                           project_names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per milestone not reached (``Snapshot.blocking_summary``): ``Dự án``, ``Mốc``, ``Hạn``,
    ``Trạng thái``, ``Còn thiếu``, ``Số thửa/hộ/trụ sở điểm nghẽn``, ``Diện tích điểm nghẽn``, plus the raw
    ``milestone_id``; in the order of the summary."""
    names = project_names or {}
    ms = milestones.set_index("milestone_id")
    rows = summary.to_dict("records")
    return pd.DataFrame({
        "Dự án": [names.get(str(r["project_id"]), str(r["project_id"])) for r in rows],
        "Mốc": [str(ms.at[r["milestone_id"], "label"]) if r["milestone_id"] in ms.index else r["milestone_id"]
                for r in rows],
        "Hạn": [fmt_date(ms.at[r["milestone_id"], "due_date"]) if r["milestone_id"] in ms.index else ""
                for r in rows],
        "Trạng thái": [status_label(r["status"]) for r in rows],
        "Còn thiếu": [shortfall_text(r) for r in rows],
        "Số đơn vị điểm nghẽn": [fmt_number(r["blocking_units"]) for r in rows],
        "Diện tích điểm nghẽn": [fmt_ha(r["blocking_area_m2"]) for r in rows],
        "milestone_id": [str(r["milestone_id"]) for r in rows],
    })


def blocking_list(blockers: pd.DataFrame, milestone_id: str) -> pd.DataFrame:
    """The ranked blocking list of one milestone (:func:`exports.figure_tables.blocking_table`)."""
    return blocking_table(blockers[blockers["milestone_id"] == milestone_id])


def overdue_tables(clocks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """"Việc quá hạn theo cơ quan": (counts per body, every overdue action), from ``Snapshot.clocks``."""
    if clocks.empty:
        empty = pd.DataFrame(columns=["responsible", "parcel_id", "action", "due_on", "days_overdue"])
        return overdue_counts(empty), overdue_table(empty)
    late = overdue_by_body(clocks)
    return overdue_counts(late), overdue_table(late)


def league_view(snapshot: Any, events: pd.DataFrame, *, unit: str = "commune", project_ids: tuple[str, ...] = (),
                communes: tuple[str, ...] = (), project_names: dict[str, str] | None = None
                ) -> tuple[pd.DataFrame, int]:
    """The communes league (:func:`milestones.league.communes_league`) as text, for the chosen projects and communes.

    Returns the table (:func:`exports.figure_tables.league_table`, ranked by gap within each project) and the
    number of its rows whose field counts are stale. ``unit``: ``commune`` (2025) or ``former`` (pre-2025).
    """
    return league_rows(communes_league(snapshot, events, unit=unit), project_ids=project_ids, communes=communes,
                       project_names=project_names)


def league_rows(league: pd.DataFrame, *, project_ids: tuple[str, ...] = (), communes: tuple[str, ...] = (),
                project_names: dict[str, str] | None = None) -> tuple[pd.DataFrame, int]:
    """:func:`league_view` from a league already computed (``milestones.league.communes_league``, all
    projects and communes: the dashboard caches it per as-of date), for the chosen projects and communes."""
    if project_ids:
        league = league[league["project_id"].isin(project_ids)]
    if communes:
        league = league[league["commune"].isin(communes)]
    return league_table(league, project_names), int(league["stale"].sum())


def strip_summary(strip: ChainageStrip) -> str:
    """"Km sạch" and the longest clean stretch of a road's chainage strip (:func:`exports.figure_tables.clean_text`)."""
    return clean_text(strip)


__all__ = [
    "blocking_list",
    "blocking_summary_table",
    "commune_table",
    "filters_note",
    "league_rows",
    "league_table",
    "league_view",
    "milestone_badges",
    "milestone_table",
    "overdue_tables",
    "parcel_csv",
    "parcel_table",
    "parcel_xlsx",
    "project_card",
    "projects_in_communes",
    "report_calendar_text",
    "status_css",
    "strip_summary",
]


def rollup_view(snapshot: Any, units: pd.DataFrame) -> pd.DataFrame:
    """The province roll-up (:func:`milestones.rollup.unit_rollup`) as text, one row per unit and a total row.

    Areas in ha (``1.234,5``), % with a decimal comma, milestones as «đạt / tổng»; headers
    :data:`vocab.headers.ROLLUP_HEADERS_VI`.
    """
    from milestones.rollup import province_total, unit_rollup
    from vocab.headers import ROLLUP_HEADERS_VI, ROLLUP_TOTAL_VI

    table = unit_rollup(snapshot, units)
    rows = [*table.to_dict("records"), {**province_total(table), "unit_name": ROLLUP_TOTAL_VI, "unit": ""}]
    out = pd.DataFrame([{
        "unit_name": str(r["unit_name"] or r["unit"] or ""), "unit": str(r["unit"] or ""),
        "projects": fmt_number(r["projects"], 0),
        "area_to_recover_ha": fmt_number(r["area_to_recover_m2"] / 10_000, 2),
        "area_handed_over_ha": fmt_number(r["area_handed_over_m2"] / 10_000, 2),
        "percent_handed_over": fmt_pct(r["percent_handed_over"]),
        "milestones_met": f"{r['milestones_met']} / {r['milestones']}",
        "milestones_at_risk": fmt_number(r["milestones_at_risk"], 0),
    } for r in rows])
    return out.rename(columns=ROLLUP_HEADERS_VI)

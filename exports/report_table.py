"""The district progress table (project → commune rows) and the parcel list, as plain DataFrames.

This module only selects, orders and labels figures of a :class:`milestones.snapshot.Snapshot`; it
computes nothing new except counting flagged parcels for the "main obstacles" column and the grand
total (sum of the project rows; its percentage is total handed over ÷ total to recover). Project rows
take their figures from ``snapshot.projects`` and commune rows from ``snapshot.communes``, so the
report shows exactly what ``cli.py status`` and the dashboard show.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from domain.milestones import current_milestones
from domain.stages import STAGE_RANK, STAGES
from milestones.progress import is_project_scope
from parsing.parcel_keys import parcel_number_cell, parcel_sort_column
from vocab.format import fmt_date, is_missing
from vocab.headers import PARCEL_HEADERS_VI
from vocab.labels import risk_flag_label, risk_flags_text, stage_label, status_label

#: Numeric columns of a progress row (units in the names).
AREA_COLUMNS = ("area_to_recover_m2", "area_handed_over_m2")
AMOUNT_COLUMNS = ("amount_approved_vnd", "amount_paid_vnd")
HOUSEHOLD_COLUMNS = tuple(f"households_{s}" for s in STAGES) + ("households_total",)

def _as_list(value) -> list:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value]
    return [] if is_missing(value) or value == "" else [str(value)]


def _flag_lists(parcels: pd.DataFrame) -> pd.Series:
    """``risk_flags`` of each parcel as a list of codes (missing → empty list)."""
    if "risk_flags" not in parcels:
        return pd.Series([[] for _ in range(len(parcels))], index=parcels.index, dtype=object)
    return parcels["risk_flags"].map(_as_list)


def obstacles_text(parcels: pd.DataFrame, max_items: int = 4) -> str:
    """The "main obstacles" of a scope, from the flags of its parcels not yet handed over.

    Counts parcels (not yet at ``handed_over``) with an open complaint (``complaint_open``), enforced
    recovery (``enforced``), compulsory inventory (``compulsory_inventory``) and each
    ``stuck_<stage>`` risk flag (in a stage longer than the limit of ``rules.yaml``).

    Parameters
    ----------
    parcels : DataFrame
        Snapshot parcels of one scope: ``stage``, ``complaint_open``, ``enforced``,
        ``compulsory_inventory`` (bool) and ``risk_flags`` (list of codes).
    max_items : int, default 4
        Kinds of obstacle listed (the most frequent); the rest is summarised as "và N loại … khác".

    Returns
    -------
    str
        E.g. ``"3 thửa khiếu nại chưa giải quyết; 1 thửa phải cưỡng chế thu hồi"``, most frequent
        first; ``""`` when there is none.
    """
    if parcels.empty:
        return ""
    open_ = parcels[parcels["stage"].astype(str) != "handed_over"] if "stage" in parcels else parcels
    counts: dict[str, int] = {}
    for col, label in (("complaint_open", "khiếu nại chưa giải quyết"), ("enforced", "phải cưỡng chế thu hồi"),
                       ("compulsory_inventory", "kiểm đếm bắt buộc")):
        if col in open_:
            n = int(open_[col].fillna(False).astype(bool).sum())
            if n:
                counts[label] = n
    stuck: dict[str, int] = {}
    for flags in _flag_lists(open_):
        for code in flags:
            if str(code).startswith("stuck_"):
                stuck[str(code)] = stuck.get(str(code), 0) + 1
    for code in sorted(stuck, key=lambda c: STAGE_RANK.get(c[6:], 99)):
        counts[risk_flag_label(code)[0].lower() + risk_flag_label(code)[1:]] = stuck[code]
    ordered = sorted(counts.items(), key=lambda kv: -kv[1])  # stable: ties keep the order above
    text = "; ".join(f"{n} thửa {label}" for label, n in ordered[:max_items])
    if len(ordered) > max_items:
        text += f"; và {len(ordered) - max_items} loại vướng mắc khác"
    return text


def milestone_scopes(milestones: pd.DataFrame) -> pd.Series:
    """Scope of each milestone: ``"project"`` for the whole project, else the commune name as written."""
    if "scope" in milestones:
        return milestones["scope"].map(lambda v: "project" if is_project_scope(v) else str(v).strip())
    return pd.Series("project", index=milestones.index, dtype=object)


def milestone_text(milestones: pd.DataFrame) -> str:
    """One line per milestone: ``"<label> (hạn dd/mm/yyyy): <status in Vietnamese>"``, by due date."""
    if milestones.empty:
        return ""
    ordered = milestones.assign(_due=pd.to_datetime(milestones["due_date"], errors="coerce")).sort_values(
        "_due", kind="stable")
    lines = []
    for _, m in ordered.iterrows():
        lines.append(f"{m['label']} (hạn {fmt_date(m['due_date'])}): {status_label(m['status'])}")
    return "\n".join(lines)


def progress_table(snapshot, project_id: str | None = None) -> pd.DataFrame:
    """The district progress table: per project a project row, then its commune rows; a total row last.

    Parameters
    ----------
    snapshot : milestones.snapshot.Snapshot
        Uses ``projects``, ``communes``, ``milestones`` and ``parcels`` (flags).
    project_id : str, optional
        Keep one project only.

    Returns
    -------
    DataFrame
        One row per line of the report, columns: ``level`` (``project`` | ``commune`` | ``total``),
        ``project_id``, ``label`` (project name or commune name), ``commune`` (commune rows),
        ``area_to_recover_m2``, ``area_handed_over_m2`` (m²), ``percent_handed_over`` (0–100),
        ``households_<stage>`` for each stage and ``households_total`` (households), ``amount_approved_vnd``,
        ``amount_paid_vnd`` (VND), ``milestone_status`` (Vietnamese text, one line per milestone of
        that scope), ``milestone_status_code`` (status of the current milestone), ``forecast_date``
        (date of the current milestone's forecast, or None), ``obstacles`` (Vietnamese text).

    Raises
    ------
    ValueError
        If ``project_id`` is not in the snapshot (Vietnamese message listing the ids).
    """
    projects = snapshot.projects.copy()
    communes = snapshot.communes.copy()
    parcels = snapshot.parcels
    milestones = snapshot.milestones.copy() if snapshot.milestones is not None else pd.DataFrame()
    if project_id is not None:
        if project_id not in set(projects["project_id"]):
            raise ValueError(f"Không có dự án {project_id!r}; các mã dự án: {', '.join(map(str, projects['project_id']))}")
        projects = projects[projects["project_id"] == project_id]
    if milestones.empty:
        milestones = pd.DataFrame(columns=["milestone_id", "project_id", "label", "due_date", "status", "forecast_date"])
    scope = milestone_scopes(milestones)

    rows: list[dict] = []
    numeric = list(AREA_COLUMNS) + ["percent_handed_over"] + list(HOUSEHOLD_COLUMNS) + list(AMOUNT_COLUMNS)

    def figures(src: pd.Series) -> dict:
        return {c: (float(src[c]) if c in src and not is_missing(src[c]) else np.nan) for c in numeric}

    def milestone_fields(ms: pd.DataFrame) -> dict:
        current = current_milestones(ms, keys=())  # one milestone per row of the report
        cur = None if current.empty else current.iloc[0]
        return {
            "milestone_status": milestone_text(ms),
            "milestone_status_code": None if cur is None else str(cur["status"]),
            "forecast_date": None if cur is None or is_missing(cur.get("forecast_date")) else cur["forecast_date"],
        }

    for _, p in projects.iterrows():
        pid = p["project_id"]
        p_parcels = parcels[parcels["project_id"] == pid]
        ms = milestones[(milestones["project_id"] == pid) & (scope == "project")]
        rows.append({"level": "project", "project_id": pid, "label": str(p.get("name", pid)), "commune": None,
                     **figures(p), **milestone_fields(ms), "obstacles": obstacles_text(p_parcels)})
        for _, c in communes[communes["project_id"] == pid].sort_values("commune").iterrows():
            name = c["commune"]
            in_commune = p_parcels["commune"] == name
            former = set(p_parcels.loc[in_commune, "commune_former"].dropna()) if "commune_former" in p_parcels else set()
            cms = milestones[(milestones["project_id"] == pid) & (scope.isin({name} | former))]
            rows.append({"level": "commune", "project_id": pid, "label": str(name), "commune": name,
                         **figures(c), **milestone_fields(cms), "obstacles": obstacles_text(p_parcels[in_commune])})
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=["level", "project_id", "label", "commune", *numeric, "milestone_status",
                                     "milestone_status_code", "forecast_date", "obstacles"])
    proj_rows = table[table["level"] == "project"]
    total = {c: proj_rows[c].sum(min_count=1) for c in numeric}
    total["percent_handed_over"] = (100.0 * total["area_handed_over_m2"] / total["area_to_recover_m2"]
                                    if total["area_to_recover_m2"] else np.nan)
    total_row = {"level": "total", "project_id": None, "label": "TỔNG CỘNG", "commune": None, **total,
                 "milestone_status": "", "milestone_status_code": None, "forecast_date": None, "obstacles": ""}
    return pd.concat([table, pd.DataFrame([total_row])], ignore_index=True)


#: Columns of the report's parcel sheet, in order (headers: ``vocab.headers.PARCEL_HEADERS_VI``).
REPORT_PARCEL_COLUMNS: tuple[str, ...] = (
    "project_id", "commune", "commune_former", "map_sheet", "parcel_number", "land_use", "parcel_area_m2",
    "area_to_recover_m2", "chainage_m", "stage", "stage_date", "amount_approved_vnd", "amount_paid_vnd",
    "risk_flags", "illustrative",
)

_INTEGER_COLUMNS = ("map_sheet",)
_NUMBER_COLUMNS = ("parcel_area_m2", "area_to_recover_m2", "amount_approved_vnd", "amount_paid_vnd")


def _sorted_parcels(parcels: pd.DataFrame, project_names: dict[str, str]) -> pd.DataFrame:
    """Parcels by project (in the order of ``project_names``, then by id), former commune, sheet, number.

    The former commune comes before the sheet because cadastral sheets are numbered per former commune;
    parcel numbers in parcel order (:func:`parsing.parcel_keys.parcel_sort_key`: ``17 < 175 < 263 < 263A``).
    """
    order = {pid: i for i, pid in enumerate(project_names)}
    rank = parcels["project_id"].map(lambda pid: order.get(pid, len(order)))
    keys = [c for c in ("commune_former", "map_sheet", "parcel_number") if c in parcels.columns]
    return parcels.assign(_order=rank).sort_values(["_order", "project_id", *keys], kind="stable",
                                                   key=parcel_sort_column).drop(columns="_order")


def _stage_dates(column: pd.Series) -> list:
    dates = pd.to_datetime(column, errors="coerce")
    return [None if pd.isna(d) else d.date() for d in dates]


def _parcel_column(df: pd.DataFrame, code: str, project_names: dict[str, str]) -> list | pd.Series:
    """The display values of one parcel column: words for codes, numbers and dates kept typed."""
    from gis.chainage import format_chainage  # the one chainage formatter of the project

    if code not in df:
        return [None] * len(df)
    column = df[code]
    if code == "project_id":
        return [project_names.get(str(v), str(v)) for v in column]
    if code == "chainage_m":
        return [None if is_missing(v) else format_chainage(float(v)) for v in column]
    if code == "stage":
        return [stage_label(v) for v in column]
    if code == "stage_date":
        return _stage_dates(column)
    if code == "risk_flags":
        return [risk_flags_text(flags) for flags in _flag_lists(df)]
    if code == "illustrative":
        return ["Có" if bool(v) else "Không" for v in column.fillna(False)]
    if code == "parcel_number":
        return [parcel_number_cell(v) for v in column]
    if code in _INTEGER_COLUMNS:
        return pd.to_numeric(column, errors="coerce").round().astype("Int64").tolist()
    if code in _NUMBER_COLUMNS:
        return pd.to_numeric(column, errors="coerce").astype(float).tolist()
    return column.astype(object).where(column.notna(), None).map(lambda v: v if v is None else str(v))


def parcel_table(parcels: pd.DataFrame, personal_columns: Iterable[str] = (), *,
                 columns: Iterable[str] = REPORT_PARCEL_COLUMNS,
                 project_names: dict[str, str] | None = None) -> pd.DataFrame:
    """The parcel list: one row per parcel, Vietnamese headers, words for codes, typed values.

    The one parcel list of the product: the Excel report's parcel sheet, the dashboard's parcel table
    and its CSV/XLSX downloads, and ``cli.py parcels`` all come from here (each with its ``columns``).

    Parameters
    ----------
    parcels : DataFrame
        Snapshot parcels (columns of DATA_MODEL.md plus ``stage``, ``stage_date``, ``risk_flags``
        and amounts), already stripped of personal data unless it is wanted. Display columns such as
        ``stage_label`` are not needed: words come from ``vocab.labels``.
    personal_columns : iterable of str
        Personal-data columns to append (e.g. ``owner_name``), only when the user asked for them.
    columns : iterable of str
        Column codes to show, in order (headers: ``vocab.headers.PARCEL_HEADERS_VI``); a code the
        frame lacks gives an empty column.
    project_names : dict, optional
        ``project_id`` → name shown in the ``Dự án`` column (default: the id); also the project order.

    Returns
    -------
    DataFrame
        Sorted by project, former commune, sheet and parcel number. Numbers stay numbers (areas in
        m², amounts in đồng as float; sheet and parcel number ``Int64``), ``stage_date`` is a
        ``datetime.date`` (None when not started), ``Lý trình`` is ``Km3+700`` text (None off road),
        ``Giai đoạn`` and ``Cờ rủi ro / vướng mắc`` are Vietnamese labels (flags joined by ``"; "``),
        ``Dữ liệu minh họa`` is ``"Có"``/``"Không"``.
    """
    names = project_names or {}
    df = parcels.drop(columns=[getattr(parcels, "_geometry_column_name", "geometry")], errors="ignore")
    df = _sorted_parcels(pd.DataFrame(df), names)
    out = pd.DataFrame(index=df.index)
    for code in [*columns, *(c for c in personal_columns if c in df)]:
        header = PARCEL_HEADERS_VI.get(code) or f"{code} (DỮ LIỆU CÁ NHÂN)"
        out[header] = _parcel_column(df, code, names)
    return out.reset_index(drop=True)

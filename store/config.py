"""Milestones, rules and project attributes as the store holds them: the ``config_changes`` ledger.

Every change is one appended row (:data:`store.schema.config_changes`); nothing is rewritten. What is
in force at a day is :func:`domain.config_history.in_force`. This module reads the ledger, checks and
normalises a milestone record, and computes the change set of a milestone import; the writes with
their audit rows are :mod:`store.config_writes`. Functions take the caller's connection.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import pandas as pd
import yaml
from sqlalchemy import select, text

from domain.config_history import (
    CHANGE_COLUMNS,
    KINDS,
    MILESTONE_FIELDS,
    in_force,
    milestones_frame,
    records_in_force,
)
from domain.milestones import METRICS
from parsing.dates import parse_date
from parsing.numbers import parse_number, parse_small_number
from store import schema
from store.errors import StoreError
from store.layers import table_exists

#: The fields ``Store.set_milestone`` may change.
MILESTONE_EDITABLE: tuple[str, ...] = ("due_date", "target_percent", "label", "metric", "scope")

#: Project attributes (non-geometry) ``Store.set_project_attributes`` may change.
PROJECT_ATTRIBUTES: tuple[str, ...] = ("name", "short_name", "start_date", "section_from_m", "section_to_m", "kind")

#: ``projects.kind`` values.
PROJECT_KINDS: tuple[str, ...] = ("road", "area", "sites")


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT or (
        isinstance(value, str) and not value.strip())


def plain(value):
    """A JSON-safe value: NaN/NaT → None, numpy scalars → Python, dates → ``dd/mm/yyyy``."""
    if _blank(value):
        return None
    if isinstance(value, (datetime, pd.Timestamp)):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value.item() if hasattr(value, "item") else value


# ------------------------------------------------------------------------------------------ reads
def read_changes(conn, kind: str | None = None) -> pd.DataFrame:
    """Changes oldest first (of ``kind`` when given): :data:`domain.config_history.CHANGE_COLUMNS`,
    ``before``/``after`` dicts (or None), ``recorded_at`` UTC."""
    t = schema.config_changes
    query = select(t).order_by(t.c.change_id)
    if kind is not None:
        check_kind(kind)
        query = query.where(t.c.kind == kind)
    rows = conn.execute(query).mappings().all()
    frame = pd.DataFrame([{**{k: r[k] for k in CHANGE_COLUMNS if k in r},
                           "before": json.loads(r["before_json"]) if r["before_json"] else None,
                           "after": json.loads(r["after_json"]) if r["after_json"] else None} for r in rows],
                         columns=list(CHANGE_COLUMNS))
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], utc=True)
    for name in ("before", "after", "account", "reason"):
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    frame["proposal_id"] = frame["proposal_id"].astype("Int64")
    return frame.astype({"change_id": "int64"})


def check_kind(kind: str) -> None:
    """Refuse an unknown ``config_changes.kind``."""
    if kind not in KINDS:
        raise StoreError(f"Không có loại cấu hình «{kind}». Các loại: {', '.join(KINDS)}.")


def milestones_in_force(conn, as_of: date | None = None) -> pd.DataFrame:
    """The milestones in force at ``as_of`` (None: now), see :func:`domain.config_history.in_force`."""
    return milestones_frame(records_in_force(read_changes(conn, "milestone"), as_of))


def current_milestones(conn) -> dict[str, dict]:
    """``milestone_id`` → the record in force now."""
    return {str(r["milestone_id"]): r for r in records_in_force(read_changes(conn, "milestone"))}


def rules_text(conn, as_of: date | None = None) -> str | None:
    """The rules YAML text in force at ``as_of`` (None: now); None when the store has none."""
    rows = in_force(read_changes(conn, "rules"), as_of)
    return None if rows.empty else rows["after"].iloc[-1]["yaml"]


def rules_in_force(conn, as_of: date | None = None) -> dict:
    """The rules in force at ``as_of`` as written (a mapping; ``{}`` for none), before defaults."""
    raw = rules_text(conn, as_of)
    return (yaml.safe_load(raw) or {}) if raw else {}


def last_change_id(conn) -> int:
    """Highest ``change_id`` (0 for none): part of ``data_version`` so caches see a change."""
    return int(conn.execute(text("SELECT COALESCE(MAX(change_id), 0) FROM config_changes")).scalar_one())


def project_ids(conn) -> set[str]:
    """``project_id`` of the current projects layer (empty when there is none)."""
    if not table_exists(conn, "projects"):
        return set()
    return {str(r[0]) for r in conn.execute(text('SELECT project_id FROM "projects"')).all()}


# ------------------------------------------------------------------------------------------ checks
def milestone_record(values: Mapping, known_projects: set[str] | None = None, where: str = "Mốc tiến độ") -> dict:
    """One milestone checked and normalised for storing.

    Parameters
    ----------
    values : mapping
        :data:`MILESTONE_FIELDS` (``label`` and ``scope`` optional: ``scope`` defaults to ``project``).
        ``due_date`` by :func:`parsing.dates.parse_date` (day first), ``target_percent`` a number 0–100
        (``70``, ``"70,5"``).
    known_projects : set of str, optional
        When given, ``project_id`` must be one of them.
    where : str
        Start of the Vietnamese message (``Mốc tiến độ dòng 3``).

    Returns
    -------
    dict
        ``due_date`` text ``dd/mm/yyyy``, ``target_percent`` float, text fields stripped, ``label`` None
        when blank.

    Raises
    ------
    StoreError
        A blank id or project, a date or target it cannot read, an unknown metric or project
        (message naming the milestone, the column and what was expected).
    """
    ident = "" if _blank(values.get("milestone_id")) else str(values.get("milestone_id")).strip()
    where = f"{where} (mã «{ident}»)" if ident else where
    problems = []
    if not ident:
        problems.append("cột milestone_id: trống")
    project = "" if _blank(values.get("project_id")) else str(values.get("project_id")).strip()
    if not project:
        problems.append("cột project_id: trống")
    elif known_projects is not None and project not in known_projects:
        problems.append(f"cột project_id: không có dự án «{project}» (có: {', '.join(sorted(known_projects))})")
    due = _checked(problems, "due_date", lambda: parse_date(values.get("due_date")).strftime("%d/%m/%Y"))
    target = _checked(problems, "target_percent", lambda: _percent(values.get("target_percent")))
    metric = "" if _blank(values.get("metric")) else str(values.get("metric")).strip()
    if metric not in METRICS:
        problems.append(f"cột metric: «{metric}» không hợp lệ (cần một trong: {', '.join(METRICS)})")
    if problems:
        raise StoreError(f"{where}: " + "; ".join(problems) + ".")
    scope = values.get("scope")
    label = values.get("label")
    return {"milestone_id": ident, "project_id": project, "due_date": due, "metric": metric,
            "target_percent": target, "scope": "project" if _blank(scope) else str(scope).strip(),
            "label": None if _blank(label) else str(label).strip()}


def _checked(problems: list, column: str, parse):
    try:
        return parse()
    except ValueError as exc:
        problems.append(f"cột {column}: {exc}")
        return None


def _percent(value) -> float:
    if _blank(value):
        raise ValueError("chỉ tiêu (%) trống")
    number = float(value) if isinstance(value, (int, float)) else parse_small_number(str(value).strip().rstrip("%"))
    if not 0 <= number <= 100:
        raise ValueError(f"chỉ tiêu phải từ 0 đến 100 (nhận {value!r})")
    return float(number)


def comparable(record: Mapping | None) -> dict | None:
    """A stored record in the normalised form of :func:`milestone_record` when it can be (else as it is),
    so a seed row ``70`` / ``30/6/2024`` equals an imported ``70,0`` / ``30/06/2024``."""
    if record is None:
        return None
    try:
        return milestone_record(record)
    except StoreError:
        return {f: plain(record.get(f)) for f in MILESTONE_FIELDS}


def check_reason(reason: str | None) -> str:
    """The reason of a change, stripped; a blank one is refused (every change says why)."""
    reason = str(reason or "").strip()
    if not reason:
        raise StoreError("Cần ghi lý do thay đổi (--reason).")
    return reason


# ------------------------------------------------------------------------------------ change sets
@dataclass(frozen=True)
class MilestoneChangeSet:
    """What a milestone import would do: ids added, changed (with before/after) and removed.

    Attributes
    ----------
    added : list of dict
        New records.
    changed : list of dict
        ``{"milestone_id", "before", "after", "fields"}`` (fields that differ).
    removed : list of dict
        Records in force now and absent from the file.
    unchanged : int
        Records identical to the stored ones.
    """

    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        """True when the import changes nothing."""
        return not (self.added or self.changed or self.removed)

    def as_dict(self) -> dict:
        """JSON-ready (for ``--json``, the audit row and a proposal's payload)."""
        return asdict(self)


def milestone_change_set(current: Mapping[str, dict], records: list[dict]) -> MilestoneChangeSet:
    """Compare normalised ``records`` (a whole milestones file) with the records in force.

    Raises
    ------
    StoreError
        The same ``milestone_id`` twice in ``records``.
    """
    ids = [r["milestone_id"] for r in records]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise StoreError(f"Mã mốc lặp lại trong tệp: {', '.join(repeated)}; mỗi mốc chỉ được một dòng.")
    added, changed, unchanged = [], [], 0
    for rec in records:
        old = comparable(current.get(rec["milestone_id"]))
        if old is None:
            added.append(rec)
        elif old != rec:
            changed.append({"milestone_id": rec["milestone_id"], "before": old, "after": rec,
                            "fields": [f for f in MILESTONE_FIELDS if old.get(f) != rec.get(f)]})
        else:
            unchanged += 1
    removed = [comparable(rec) for key, rec in current.items() if key not in set(ids)]
    return MilestoneChangeSet(added, changed, removed, unchanged)


def check_removals(change_set: MilestoneChangeSet, allow_remove: int | None) -> None:
    """Refuse an import removing milestones unless ``allow_remove`` names their exact count."""
    count = len(change_set.removed)
    if count and allow_remove != count:
        names = ", ".join(r["milestone_id"] for r in change_set.removed)
        raise StoreError(f"Tệp này xoá {count} mốc tiến độ ({names}); chưa ghi gì. Nếu đúng là cần xoá, "
                         f"chạy lại với --allow-remove {count}.")
    if allow_remove and allow_remove != count:
        raise StoreError(f"--allow-remove {allow_remove} nhưng tệp xoá {count} mốc; chưa ghi gì.")


def _dump(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def append_change(conn, *, kind: str, item: str, before, after, account: str | None, reason: str | None,
                  source: str, now: datetime, proposal_id: int | None = None) -> int:
    """Append one ``config_changes`` row; return its ``change_id``."""
    t = schema.config_changes
    return int(conn.execute(t.insert().values(
        recorded_at=now, kind=kind, item=str(item), before_json=_dump(before), after_json=_dump(after),
        account=account, reason=reason, source=source, proposal_id=proposal_id,
    ).returning(t.c.change_id)).scalar_one())


def rules_record(yaml_text: str) -> dict:
    """The stored record of a rules text (``{"yaml": text}``)."""
    return {"yaml": yaml_text}




def project_values(changes: Mapping) -> dict:
    """Project attribute changes checked and in their stored (JSON-safe) form.

    ``name``/``short_name`` non-blank text, ``start_date`` a date (:func:`parsing.dates.parse_date`,
    stored ``dd/mm/yyyy``), ``section_from_m``/``section_to_m`` metres (a number, or blank for none),
    ``kind`` one of :data:`PROJECT_KINDS`.

    Raises
    ------
    StoreError
        No change, an attribute not in :data:`PROJECT_ATTRIBUTES`, or a value it cannot take.
    """
    unknown = [k for k in changes if k not in PROJECT_ATTRIBUTES]
    if unknown or not changes:
        raise StoreError(f"Thuộc tính dự án sửa được: {', '.join(PROJECT_ATTRIBUTES)}"
                         + (f" (không có «{', '.join(map(str, unknown))}»)." if unknown else "; chưa nêu thuộc tính nào."))
    out, problems = {}, []
    for name, value in changes.items():
        if name in ("name", "short_name"):
            if _blank(value):
                problems.append(f"{name}: trống")
            out[name] = None if _blank(value) else str(value).strip()
        elif name == "start_date":
            out[name] = _checked(problems, name, lambda v=value: parse_date(v).strftime("%d/%m/%Y"))
        elif name == "kind":
            if str(value).strip() not in PROJECT_KINDS:
                problems.append(f"kind: «{value}» không hợp lệ (cần một trong: {', '.join(PROJECT_KINDS)})")
            out[name] = str(value).strip()
        else:
            out[name] = None if _blank(value) else _checked(problems, name, lambda v=value: _metres(v))
    if problems:
        raise StoreError("Thông tin dự án không hợp lệ: " + "; ".join(problems) + ".")
    return out


def _metres(value) -> float:
    number = float(value) if isinstance(value, (int, float)) else parse_number(str(value))
    if number < 0:
        raise ValueError(f"lý trình không được âm (nhận {value!r})")
    return float(number)

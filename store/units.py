"""Units sharing one store (issue 10): the ``units`` table, projects' units and the unit checks of writes.

A project belongs to one unit (``projects.unit`` = ``units.unit_code``); its centrelines, parcels,
events and milestones belong to the unit of their ``project_id``. An account with units
(:func:`domain.roles.unit_scope`) writes only rows of its units:

- field counts (:func:`check_row_units`): every row's project must be of one of its units;
- reverts (:func:`upload_units`): every event of the upload likewise, and a register import's project and rows;
- layer replacements (:func:`check_layer_units`): ``communes``/``roads`` (shared by every unit) are for
  province-level accounts only; in ``projects``/``centrelines``/``parcels`` the rows of other units must
  come back unchanged (same keys, same units, same areas) and new rows must be of its units;
- restoring a whole layer version is for province-level accounts only.

Every function runs inside the caller's transaction.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Column, Table, Text, inspect, select, text

from domain.roles import Account, PermissionDeniedError, UnitScopeError, unit_scope
from domain.units import (
    DEFAULT_UNIT_CODE,
    DEFAULT_UNIT_META_KEY,
    is_unit_code,
)
from store import schema
from store.errors import StoreError
from store.layers import table_exists

units = Table(
    "units", schema.metadata,
    Column("unit_code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("province", Text, nullable=False),
)

#: Layers whose rows belong to a unit through their ``project_id``.
UNIT_LAYERS: tuple[str, ...] = ("projects", "centrelines", "parcels")

#: Key of a row per unit layer, and the area compared for "unchanged" (None: the key alone).
_ROW_KEYS: dict[str, tuple[str, str | None]] = {
    "projects": ("project_id", None), "centrelines": ("project_id", None),
    "parcels": ("parcel_id", "area_to_recover_m2"),
}


def read_units(conn) -> pd.DataFrame:
    """The units of the store: ``unit_code``, ``name``, ``province``, by code."""
    rows = conn.execute(select(units).order_by(units.c.unit_code)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["unit_code", "name", "province"])


def default_unit(conn) -> str:
    """The unit of a project written without one (``store_meta`` ``default_unit``, else huyện Cao Lộc)."""
    sm = schema.store_meta
    value = conn.execute(select(sm.c.value).where(sm.c.key == DEFAULT_UNIT_META_KEY)).scalar()
    return str(value) if value else DEFAULT_UNIT_CODE


def resolve_unit(conn, code_or_name: str) -> str:
    """The unit code of ``code_or_name`` (a code, or a name such as «Huyện Cao Lộc», any case).

    Raises
    ------
    StoreError
        No such unit (the message lists the units of the store).
    """
    table = read_units(conn)
    wanted = " ".join(str(code_or_name).split()).casefold()
    for row in table.itertuples():
        if wanted in (str(row.unit_code).casefold(), " ".join(str(row.name).split()).casefold()):
            return str(row.unit_code)
    known = ", ".join(f"{r.unit_code} ({r.name})" for r in table.itertuples()) or "chưa có"
    raise StoreError(f"Không có đơn vị «{code_or_name}» trong kho dữ liệu; các đơn vị: {known}.")


def add_unit(conn, code: str, name: str, province: str) -> dict:
    """Insert a unit; returns its row as a dict.

    Raises
    ------
    StoreError
        A malformed code (:data:`domain.units.UNIT_CODE_PATTERN`), an empty name or province, or a code
        that exists.
    """
    code, name, province = str(code).strip(), " ".join(str(name).split()), " ".join(str(province).split())
    if not is_unit_code(code):
        raise StoreError(f"Mã đơn vị «{code}» không hợp lệ: cần 1–16 chữ cái không dấu, chữ số, '_' hoặc '-'.")
    if not name or not province:
        raise StoreError("Đơn vị cần tên (--name) và tỉnh (--province).")
    if conn.execute(select(units.c.unit_code).where(units.c.unit_code == code)).first() is not None:
        raise StoreError(f"Đơn vị mã «{code}» đã có.")
    conn.execute(units.insert().values(unit_code=code, name=name, province=province))
    return {"unit_code": code, "name": name, "province": province}


def project_units(conn) -> dict[str, str | None]:
    """``project_id`` → unit code of the current projects table (empty when there is none)."""
    if not table_exists(conn, "projects"):
        return {}
    if "unit" not in {c["name"] for c in inspect(conn).get_columns("projects")}:
        fallback = default_unit(conn)
        return {str(r[0]): fallback for r in conn.execute(text('SELECT project_id FROM "projects"')).all()}
    return {str(r[0]): (None if r[1] is None else str(r[1]))
            for r in conn.execute(text('SELECT project_id, unit FROM "projects"')).all()}


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def with_units(conn, gdf):
    """The projects layer ``gdf`` with every row's ``unit`` set and known.

    A blank or missing ``unit`` keeps the unit the project has now, else takes :func:`default_unit`
    (an import of a clearance boundary never names a unit).

    Raises
    ------
    StoreError
        A unit code not in the ``units`` table (row numbered from 1).
    """
    current, fallback = project_units(conn), default_unit(conn)
    values = list(gdf["unit"]) if "unit" in gdf.columns else [None] * len(gdf)
    filled = [current.get(str(pid)) or fallback if _blank(u) else str(u).strip()
              for pid, u in zip(gdf["project_id"], values)]
    known = {str(r[0]) for r in conn.execute(select(units.c.unit_code)).all()}
    for i, code in enumerate(filled):
        if code not in known:
            raise StoreError(f"Lớp 'projects', dòng {i + 1}, cột 'unit': đơn vị «{code}» chưa có trong kho "
                             f"(thêm bằng cli.py units add); các đơn vị: {', '.join(sorted(known)) or 'chưa có'}.")
    gdf = gdf.copy()
    gdf["unit"] = filled
    return gdf


def row_units(project_ids: Iterable, mapping: dict[str, str | None]) -> list[str | None]:
    """The unit of each row's ``project_id`` (None for a missing or unknown project)."""
    return [None if _blank(p) else mapping.get(str(p)) for p in project_ids]


def lock_units(values: Iterable[str | None]) -> list[str] | None:
    """Unit codes to lock for a write of rows of these units; None (the store-wide lock) when a row has
    no unit or there are no rows."""
    values = list(values)
    if not values or any(v is None for v in values):
        return None
    return sorted(set(values))


def check_row_units(actor: Account, action: str, values: Iterable[str | None]) -> None:
    """Refuse (:class:`domain.roles.PermissionDeniedError`, naming the unit) a row outside ``actor``'s units.

    A row whose unit is unknown (no such project) counts as outside for a unit-scoped account.
    """
    scope = unit_scope(actor)
    if scope is None:
        return
    for value in values:
        if value is None or value not in scope:
            raise PermissionDeniedError(actor, action, None, value or "không xác định")


def upload_units(conn, upload_id: int) -> list[str | None]:
    """The units of the projects ``upload_id`` concerns (one per distinct project): those of its events and, for a
    register import (which may have no event), of its ``register_imports.project_id`` and its register rows."""
    from store import registers

    ev, ri = schema.events, registers.register_imports
    queries = [select(ev.c.project_id).where(ev.c.upload_id == int(upload_id)),
               select(ri.c.project_id).where(ri.c.upload_id == int(upload_id), ri.c.project_id.is_not(None))]
    queries += [select(t.c.project_id).where(t.c.upload_id == int(upload_id))
                for t in registers.TABLES.values() if "project_id" in t.c]
    project_ids = sorted({r[0] for q in queries for r in conn.execute(q.distinct()).all()}, key=str)
    return row_units(project_ids, project_units(conn))


def refuse_whole_layer(actor: Account, action: str, what: str) -> None:
    """Refuse a unit-scoped account a write of a whole layer (``what`` says which write)."""
    if unit_scope(actor) is not None:
        raise UnitScopeError(actor, action, f"{what} thay dữ liệu của mọi đơn vị: chỉ tài khoản cấp tỉnh "
                                            f"(mọi đơn vị) được làm; tài khoản «{actor.username}» chỉ có đơn vị "
                                            f"{', '.join(actor.units)}. Chưa ghi gì.")


def check_layer_units(conn, actor: Account, layers: dict) -> None:
    """Refuse a layer replacement by a unit-scoped ``actor`` that reaches beyond its units (module docstring).

    ``layers`` maps layer names to prepared GeoDataFrames (``projects`` already through :func:`with_units`).

    Raises
    ------
    domain.roles.UnitScopeError
    """
    scope = unit_scope(actor)
    if scope is None:
        return
    shared = [n for n in layers if n not in UNIT_LAYERS]
    if shared:
        refuse_whole_layer(actor, "import_cadastre", f"Lớp {', '.join(shared)} dùng chung cho mọi đơn vị:")
    old = project_units(conn)
    new = ({str(p): str(u) for p, u in zip(layers["projects"]["project_id"], layers["projects"]["unit"])}
           if "projects" in layers else old)
    for name, gdf in layers.items():
        key, area = _ROW_KEYS[name]
        mine_new = [new.get(str(p)) in scope for p in gdf["project_id"]]
        before = _other_rows(conn, name, key, area, old, scope)
        after = _fingerprints(gdf[[not m for m in mine_new]], name, key, area, new)
        if before != after:
            raise UnitScopeError(actor, "import_cadastre", (
                f"Lớp {name!r}: thay lớp này sẽ thêm, bớt hoặc sửa dữ liệu của đơn vị khác "
                f"({_difference(before, after)}); tài khoản «{actor.username}» chỉ được sửa dữ liệu của đơn vị "
                f"{', '.join(sorted(scope))}. Chưa ghi gì."))


def _fingerprints(frame, name: str, key: str, area: str | None, mapping: dict) -> Counter:
    """Multiset of (key, unit, area rounded to 0.01 m²) of ``frame``'s rows."""
    areas = frame[area] if area and area in frame.columns else [None] * len(frame)
    return Counter((str(k), mapping.get(str(p)), None if _blank(a) else round(float(a), 2))
                   for k, p, a in zip(frame[key], frame["project_id"], areas))


def _other_rows(conn, name: str, key: str, area: str | None, mapping: dict, scope: frozenset) -> Counter:
    """:func:`_fingerprints` of the current rows of ``name`` outside ``scope``."""
    if not table_exists(conn, name):
        return Counter()
    columns = [key] + (["project_id"] if key != "project_id" else []) + ([area] if area else [])
    rows = conn.execute(text("SELECT " + ", ".join(f'"{c}"' for c in columns) + f' FROM "{name}"')).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    frame = frame[[mapping.get(str(p)) not in scope for p in frame["project_id"]]]
    return _fingerprints(frame, name, key, area, mapping)


def _difference(before: Counter, after: Counter) -> str:
    removed, added = sorted((before - after).elements()), sorted((after - before).elements())
    parts = []
    if removed:
        parts.append(f"mất {len(removed)} dòng, ví dụ «{removed[0][0]}»")
    if added:
        parts.append(f"thêm/sửa {len(added)} dòng, ví dụ «{added[0][0]}»")
    return "; ".join(parts)

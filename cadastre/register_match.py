"""Parcels of a project's household register matched against a cadastral map being imported (issue 12).

A project can exist before its map (``add-project`` without ``--boundary``): its households and their parcel
keys come from the register (``import-register``, the household × step matrix), with the area the register
gives. When the map comes (``import-parcels``), each register key is matched with the map's parcels by
``str(parcel_number) == key`` within the project — the rule :mod:`ingest.matrix_events` uses for stage events —
and the import report lists what matched and what did not. A key with a letter suffix (``263A``) cannot match
while the cadastral ``parcel_number`` is an integer: it is listed among the keys not on the map.
"""
from __future__ import annotations

import re

import pandas as pd

_LEADING_NUMBER = re.compile(r"(\d+)(.*)")


def _sorted(keys) -> list[str]:
    """Keys in numeric order (``2 < 10 < 263 < 263A``), as ``ingest.parcel_tokens.parcel_sort_key`` orders them
    (not imported: cadastre and ingest are sibling layers)."""
    def key(token: str):
        hit = _LEADING_NUMBER.fullmatch(token)
        return (0, int(hit.group(1)), hit.group(2)) if hit else (1, 0, token)
    return sorted(keys, key=key)


def register_keys(households: pd.DataFrame) -> set[str]:
    """Distinct parcel keys of a households register (``parcel_keys`` stored as ``17;175``)."""
    if households.empty or "parcel_keys" not in households:
        return set()
    return {k.strip() for cell in households["parcel_keys"].dropna() for k in str(cell).split(";") if k.strip()}


def register_match(households: pd.DataFrame, parcels: pd.DataFrame) -> dict:
    """Match the register's parcel keys with the parcels of a map (both of one project).

    Parameters
    ----------
    households : DataFrame
        The project's households register (``parcel_keys``, ``area_m2``).
    parcels : DataFrame
        The parcels of the map (``parcel_number``, ``map_sheet``, ``area_to_recover_m2``).

    Returns
    -------
    dict
        ``register_parcels`` (distinct keys in the register), ``register_area_m2`` (households' area),
        ``matched`` (keys on exactly one parcel of the map), ``ambiguous`` (keys on several map sheets),
        ``register_only`` (keys not on the map), ``map_only`` (map parcel numbers not in the register),
        ``matched_area_to_recover_m2`` (map area of the matched parcels), lists in numeric key order.
    """
    keys = register_keys(households)
    numbers = parcels["parcel_number"].map(lambda n: str(n).removesuffix(".0")) if len(parcels) else pd.Series([])
    count = numbers.value_counts()
    on_map = set(count.index)
    matched = {k for k in keys if count.get(k, 0) == 1}
    area = parcels["area_to_recover_m2"][numbers.isin(matched)].sum() if len(parcels) else 0.0
    return {
        "register_parcels": len(keys),
        "register_area_m2": float(households["area_m2"].fillna(0).sum()) if "area_m2" in households else 0.0,
        "matched": _sorted(matched),
        "ambiguous": _sorted(k for k in keys if count.get(k, 0) > 1),
        "register_only": _sorted(keys - on_map),
        "map_only": _sorted(on_map - keys),
        "matched_area_to_recover_m2": round(float(area), 2),
    }


def format_register_match(match: dict) -> str:
    """Vietnamese lines for the text report of ``import-parcels``."""
    def listed(keys: list[str], limit: int = 30) -> str:
        shown = ", ".join(keys[:limit])
        return shown + (f" … (+{len(keys) - limit})" if len(keys) > limit else "")

    lines = [(f"Đối chiếu sổ hộ dân: {match['register_parcels']} số thửa trong sổ; khớp bản đồ "
             f"{len(match['matched'])}, trùng nhiều tờ {len(match['ambiguous'])}, chưa có trên bản đồ "
             f"{len(match['register_only'])}; thửa trên bản đồ không có trong sổ {len(match['map_only'])}.")]
    for label, keys in (("Khớp", match["matched"]), ("Trùng nhiều tờ", match["ambiguous"]),
                        ("Chưa có trên bản đồ", match["register_only"]), ("Không có trong sổ", match["map_only"])):
        if keys:
            lines.append(f"  {label}: {listed(keys)}")
    if match["matched"]:
        lines.append("  Nhập lại bảng hộ × bước (import-register) để ghi tiến độ của các thửa đã khớp.")
    return "\n".join(lines)


def import_register_match(store, project_id: str, parcels: pd.DataFrame) -> dict | None:
    """:func:`register_match` of the map being imported (``parcels``) with the households register of
    ``project_id`` in ``store``, or None when the project has no households register (``import-parcels`` and the
    import page report it the same way)."""
    homes = store.register("households", project_id=project_id) if hasattr(store, "register") else pd.DataFrame()
    return register_match(homes, parcels) if len(homes) else None

"""Illustrative field-count history (events) of every demo parcel, up to :data:`HORIZON`.

Rule (also in ``data/SOURCES.md``):

1. Each project has a target curve of the share of its area handed over by date
   (:data:`HANDOVER_CURVES`), shaped on the public facts (DOMAIN.md) so that milestones are met,
   missed, on track, at risk or behind at various as-of dates.
2. Parcels are ranked by a random key with project-specific delays (QL4B: Gia Cát last; residential
   land later than farmland); a parcel's handover date is where the cumulative area up to it meets the
   curve (weekends moved to the nearest weekday).
3. Earlier stages are counted back from the handover date with plausible gaps: payment 0–25 days
   before handover, approval 5–28 days before payment (Land Law 2024 art. 94: payment within 30 days),
   plan posted 30–60 days before approval (art. 87: 30 days' posting, then dialogue), inventory 15–75
   days before posting. The notice is the latest notice wave of the parcel's former commune at least
   90 days (agricultural land) / 180 days (non-agricultural) before approval (art. 85); if no wave is
   early enough, the later stages are pushed forward to respect those minimums.
4. Problem parcels (QL4B in Gia Cát, some expressway parcels): complaints (most resolved), compulsory
   inventory, late payment, enforced recovery just before handover. Three wrong "handed over" entries
   are corrected by an ``is_correction`` row.
5. ``amount_vnd``: area to recover × illustrative unit price of the land use (land + assets + support,
   :data:`UNIT_PRICE_VND_M2`) × a random asset factor; the same amount is paid.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left

import numpy as np
import pandas as pd

from domain.stages import STAGES
from domain.tables import EVENT_ROW_COLUMNS

#: Last date of the generated history.
HORIZON = dt.date(2025, 6, 30)

#: Target share of the project's area handed over by date (piecewise linear).
HANDOVER_CURVES: dict[str, tuple[tuple[str, float], ...]] = {
    # 36 of ~45 ha by end-2022 (DOMAIN.md), not 100 % by 31/3/2024 (Gia Cát), finished mid-2024.
    "QL4B": (("2021-10-15", 0.0), ("2022-06-30", 0.45), ("2022-12-31", 0.80), ("2023-06-30", 0.87),
             ("2023-12-31", 0.92), ("2024-03-31", 0.955), ("2024-06-30", 0.995), ("2024-08-20", 1.0)),
    # ~71 % by 30/6/2024 (just met), ~93 % by 31/12/2024 (missed), 100 % in 2025.
    "CT_HNCL": (("2024-01-10", 0.0), ("2024-03-31", 0.30), ("2024-04-21", 0.46), ("2024-06-30", 0.725),
                ("2024-09-30", 0.85), ("2024-12-31", 0.93), ("2025-03-31", 0.975), ("2025-06-10", 1.0)),
    # On schedule.
    "CCN_HT1": (("2024-03-01", 0.0), ("2024-06-30", 0.58), ("2024-09-30", 0.90), ("2024-11-20", 1.0)),
    # Lagging: unfinished at the horizon.
    "CCN_HT2": (("2024-07-01", 0.0), ("2024-09-30", 0.30), ("2024-12-31", 0.48), ("2025-06-30", 0.68),
                ("2025-12-31", 1.0)),
    # Mostly done in 2024.
    "CA_XA": (("2024-04-20", 0.0), ("2024-06-30", 0.35), ("2024-09-30", 0.70), ("2024-11-30", 0.90),
              ("2024-12-20", 1.0)),
}

#: Illustrative compensation + support unit prices (land, crops/trees, typical structures), VND per m²
#: recovered. Not the prices of any decision of Lạng Sơn province.
UNIT_PRICE_VND_M2 = {
    "LUC": 185_000, "LUK": 170_000, "BHK": 150_000, "NHK": 150_000, "CLN": 165_000, "RSX": 60_000,
    "RPH": 45_000, "NTS": 140_000, "ONT": 3_200_000, "ODT": 7_500_000, "NTD": 120_000, "DTL": 0, "DGT": 0,
}
#: Agricultural land group (Land Law 2024 art. 9(2)): 90 days' notice; others 180 days (art. 85(1)).
AGRICULTURAL = frozenset({"LUC", "LUK", "BHK", "NHK", "CLN", "RSX", "RPH", "NTS"})
PUBLIC_LAND = frozenset({"DGT", "DTL"})

EVENT_COLUMNS = EVENT_ROW_COLUMNS  # the ledger's row contract (domain.tables)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _weekday(day: dt.date) -> dt.date:
    """Saturday → Friday, Sunday → Monday (offices record on working days)."""
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


def curve_date(curve, fraction: float) -> dt.date:
    """Date at which the piecewise-linear curve reaches ``fraction`` (0–1)."""
    fractions = [f for _d_, f in curve]
    i = max(1, min(bisect_left(fractions, fraction), len(curve) - 1))
    (d0, f0), (d1, f1) = curve[i - 1], curve[i]
    d0, d1 = _d(d0), _d(d1)
    t = 0.0 if f1 == f0 else (fraction - f0) / (f1 - f0)
    return d0 + dt.timedelta(days=round(t * (d1 - d0).days))


def _priority(parcels: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    key = rng.uniform(0, 1, len(parcels))
    key += np.where(parcels["land_use"].isin(["ONT", "ODT"]), 0.15, 0.0)
    ql4b_gia_cat = (parcels["project_id"] == "QL4B") & (parcels["commune_former"] == "Xã Gia Cát")
    key += np.where(ql4b_gia_cat, 0.35, 0.0)
    late_expressway = (parcels["project_id"] == "CT_HNCL") & parcels["commune_former"].isin(["Xã Tân Liên", "Xã Hòa Cư"])
    key += np.where(late_expressway, 0.2, 0.0)
    return key


def handover_dates(parcels: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    """Planned handover date of each parcel from its project's curve (may lie after :data:`HORIZON`)."""
    out = pd.Series(index=parcels.index, dtype=object)
    key = _priority(parcels, rng)
    for pid, group in parcels.groupby("project_id"):
        order = group.index[np.argsort(key[parcels.index.get_indexer(group.index)], kind="stable")]
        area = group.loc[order, "area_to_recover_m2"].to_numpy()
        mid = (np.cumsum(area) - area / 2) / area.sum()
        for idx, fraction in zip(order, mid):
            out[idx] = curve_date(HANDOVER_CURVES[pid], float(fraction))
    return out


def _days(rng: np.random.Generator, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=int(rng.integers(low, high + 1)))


def build_events(parcels: pd.DataFrame, start_dates: dict[str, dt.date], rng: np.random.Generator) -> pd.DataFrame:
    """Events (ledger rows without ``event_id``/``upload_id``) for the parcels, sorted by date.

    Parameters
    ----------
    parcels : DataFrame
        The parcels layer (``parcel_id``, ``project_id``, ``commune_former``, ``land_use``,
        ``area_to_recover_m2``, ``chainage_m``).
    start_dates : dict
        Project id → planned start of clearance (no notice before it).

    Returns
    -------
    DataFrame
        Columns :data:`EVENT_COLUMNS`; ``event_date`` ISO text, only dates ≤ :data:`HORIZON`.
    """
    handover = handover_dates(parcels, rng)
    # Notice waves per (project, former commune): every 90–150 days from the project start.
    waves: dict[tuple[str, str], list[dt.date]] = {}
    for (pid, former), _g in parcels.groupby(["project_id", "commune_former"]):
        day = start_dates[pid] + _days(rng, 0, 30)
        dates = []
        while day <= HORIZON:
            dates.append(_weekday(day))
            day += _days(rng, 90, 150)
        waves[(pid, former)] = dates
    # Problem parcels.
    ql4b_late = parcels[(parcels["project_id"] == "QL4B") & (parcels["commune_former"] == "Xã Gia Cát")]
    ql4b_enforced = set(handover[ql4b_late.index].sort_values().index[-6:])
    exp = parcels[parcels["project_id"] == "CT_HNCL"]
    exp_late = handover[exp.index][handover[exp.index] > dt.date(2024, 11, 1)]
    exp_enforced = set(exp_late.sort_values().index[:: max(1, len(exp_late) // 5)][:5])
    enforced = ql4b_enforced | exp_enforced

    rows: list[dict] = []
    decision_numbers: dict = {}
    corrections_left = {"QL4B": 1, "CT_HNCL": 2}
    for idx, p in parcels.iterrows():
        pid, former, lu = p["project_id"], p["commune_former"], p["land_use"]
        problem = idx in enforced or (pid == "QL4B" and former == "Xã Gia Cát" and rng.random() < 0.25)
        legal = dt.timedelta(days=90 if lu in AGRICULTURAL else 180)
        h = handover[idx]
        paid = h - (_days(rng, 0, 20) if problem else _days(rng, 0, 25))
        approved = paid - (_days(rng, 60, 240) if problem else _days(rng, 5, 28))
        posted = approved - _days(rng, 30, 60)
        inventory = posted - _days(rng, 15, 75)
        latest_notice = min(inventory - _days(rng, 10, 40), approved - legal - _days(rng, 0, 20))
        candidates = [w for w in waves[(pid, former)] if w <= latest_notice]
        notice = candidates[-1] if candidates else waves[(pid, former)][0]
        # Forward repair: legal minimums and order of the stages.
        inventory = max(inventory, notice + _days(rng, 7, 20))
        posted = max(posted, inventory + _days(rng, 15, 30))
        approved = max(approved, posted + dt.timedelta(days=30), notice + legal)
        paid = max(paid, approved + _days(rng, 3, 10))
        h = max(h, paid)
        stage_dates = {"notice": notice, "inventory": inventory, "plan_posted": posted, "approved": approved,
                       "paid": paid, "handed_over": h}
        stage_dates = {k: _weekday(v) for k, v in stage_dates.items()}
        # Keep the order after moving weekends.
        prev = None
        for stage in STAGES[1:]:
            if prev is not None and stage_dates[stage] < prev:
                stage_dates[stage] = prev
            prev = stage_dates[stage]

        factor = 1.0 + (rng.uniform(0.3, 1.5) if lu in ("ONT", "ODT") else rng.uniform(0.0, 0.3))
        amount = round(p["area_to_recover_m2"] * UNIT_PRICE_VND_M2[lu] * factor, -3)
        parcel_rows: list[tuple[dt.date, str, dict]] = []

        def add(day, event, _rows=parcel_rows, **extra):  # called within this iteration only
            _rows.append((day, event, extra))

        wave_no = decision_numbers.setdefault(("TB", pid, former, stage_dates["notice"]), int(rng.integers(20, 900)))
        add(stage_dates["notice"], "notice", note=f"Thông báo thu hồi đất số {wave_no}/TB-UBND")
        compulsory = problem and rng.random() < 0.15
        if compulsory:
            add(stage_dates["inventory"], "compulsory_inventory", note="Hộ không phối hợp; kiểm đếm bắt buộc theo quyết định")
        add(stage_dates["inventory"], "inventory", note="Biên bản điều tra, kiểm đếm")
        add(stage_dates["plan_posted"], "plan_posted", note="Niêm yết công khai phương án 30 ngày")
        qd = decision_numbers.setdefault(("QD", pid, former, stage_dates["approved"]), int(rng.integers(100, 4000)))
        add(stage_dates["approved"], "approved", amount_vnd=amount,
            note=f"QĐ phê duyệt phương án và thu hồi đất số {qd}/QĐ-UBND")
        if lu not in PUBLIC_LAND:
            add(stage_dates["paid"], "paid", amount_vnd=amount, note="Chi trả tiền bồi thường, hỗ trợ")
        # Complaints: most problem parcels, ~5 % of the others.
        if problem or rng.random() < 0.05:
            complaint_day = _weekday(stage_dates["plan_posted"] + _days(
                rng, 1, max(2, (stage_dates["approved"] - stage_dates["plan_posted"]).days + 30)))
            add(complaint_day, "complaint", note="Đơn khiếu nại về giá bồi thường / diện tích")
            resolved = _weekday(complaint_day + _days(rng, 20, 150))
            if resolved < stage_dates["handed_over"] - dt.timedelta(days=2):
                add(resolved, "complaint_resolved", note="Đã trả lời, giải quyết đơn")
            elif idx not in enforced and rng.random() < 0.7:
                add(max(complaint_day, stage_dates["handed_over"] - dt.timedelta(days=3)), "complaint_resolved",
                    note="Đã đối thoại, hộ đồng ý")
        if idx in enforced:
            add(_weekday(stage_dates["handed_over"] - _days(rng, 2, 10)), "enforced",
                note="Cưỡng chế thu hồi đất theo quyết định của UBND huyện")
        if (corrections_left.get(pid, 0) > 0 and lu not in PUBLIC_LAND and not problem
                and (stage_dates["handed_over"] - stage_dates["paid"]).days >= 15
                and stage_dates["handed_over"] <= HORIZON):
            corrections_left[pid] -= 1
            wrong = stage_dates["paid"] + dt.timedelta(days=3)
            add(wrong, "handed_over", area_m2=p["area_to_recover_m2"], note="Báo cáo bàn giao (nhập nhầm)")
            add(wrong + dt.timedelta(days=4), "paid", is_correction=True,
                note="Đính chính: thửa chưa bàn giao, đợt trước nhập nhầm")
        add(stage_dates["handed_over"], "handed_over", area_m2=p["area_to_recover_m2"],
            note="Biên bản bàn giao mặt bằng")
        for seq, (day, event, extra) in enumerate(sorted(parcel_rows, key=lambda r: (r[0], _ORDER[r[1]], r[2].get("is_correction", False)))):
            if day > HORIZON:
                continue
            rows.append(dict(kind="parcel", project_id=pid, parcel_id=p["parcel_id"], commune="",
                             chainage_from_m=np.nan, chainage_to_m=np.nan, event=event,
                             event_date=day.isoformat(), area_m2=extra.get("area_m2", np.nan),
                             households=np.nan, amount_vnd=extra.get("amount_vnd", np.nan),
                             is_correction=bool(extra.get("is_correction", False)), note=extra.get("note", ""),
                             _seq=seq))
    events = pd.DataFrame(rows)
    events = events.sort_values(["event_date", "project_id", "parcel_id", "_seq"], kind="stable")
    return events.drop(columns="_seq").reset_index(drop=True)[list(EVENT_COLUMNS)]


#: Order of events recorded on the same day for one parcel.
_ORDER = {"notice": 0, "compulsory_inventory": 1, "inventory": 2, "plan_posted": 3, "complaint": 4,
          "approved": 5, "paid": 6, "complaint_resolved": 7, "enforced": 8, "handed_over": 9}

"""Illustrative people-side registers derived from the demo parcels and events (no randomness: every value
follows from the parcels and the event history, so the registers agree with the field counts).

Rules (also in ``data/SOURCES.md``):

- households: one per (project, ``household_id`` of the parcels); name = owner of its first parcel; ID
  number and phone are made-up digits derived from the household id (not real people); address = the
  former commune; ``parcel_keys`` = its parcel numbers; area = the area to recover of its parcels.
- plans: one per household with an ``approved`` event; per parcel the amount of its last ``approved``
  event, split 80 % compensation / 20 % support (rounded to 1 000 đ); one decision per project and approval
  date (``<n>/QĐ-UBND``), effective the same day. Entitlement to a resettlement lot (QL4B only, the area
  below): a household that loses ≥ 500 m² of residential land (ONT/ODT, the whole plot of a house and
  garden): class ``A`` (100 m²) under 800 m² lost, ``B`` (150 m²) from 800 m²; its plan gets a resettlement part (the lot's price × 0.5, a support).
- payments: two rows (the same 80 / 20 split) per parcel's last ``paid`` event with an amount, dated that day;
  an entitled household's resettlement part is paid with its first such payment (same receipt).
- complaints: each ``complaint`` event becomes a letter (khiếu nại, about the land price or the area,
  to the district People's Committee, accepted 7 days after receipt); resolved on the parcel's next
  ``complaint_resolved`` event, otherwise still being verified.
- refusals: a household that did not come for its money at once was invited 10, 20 and 30 days after its
  decision took effect — the invitations dated before its first payment —; a household still unpaid on the
  last day of the field-count history got the invitations due by then and, 45 days after the decision, the
  deposit of its money to the treasury custody account (Land Law 2024 art. 94(5)). Document numbers
  ``GM-<project>-<n>`` (invitations), ``KB-<project>-<n>`` (deposits).
- transfers: per project and month, the investor transferred 90 % of what the plans taking effect that month
  need (rounded down to a million đồng), 5 days before the first of them (``UNC-<project>-<n>``), so the funds
  figure shows a 10 % shortfall.
- one resettlement area (QL4B), a rectangle beside the road 250 m from the clearance boundary, with one
  ``available`` lot per entitled household of its class and 10 % spare (at least 2) per class.
"""
from __future__ import annotations

import hashlib
import math

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import box

from domain.people import REGISTER_COLUMNS
from parsing.parcel_keys import parcel_key, parcel_sort_key

RESIDENTIAL = ("ONT", "ODT")
AREA_ID = "KTDC-QL4B-01"
AREA_PROJECT = "QL4B"
LOT_M2 = {"A": 100.0, "B": 150.0}
LOT_PRICE_VND_M2 = 4_500_000.0
COMPENSATION_SHARE = 0.8
#: Residential area lost (m²) from which a household is entitled to a lot, and to a class B lot.
ENTITLED_M2, ENTITLED_B_M2 = 500.0, 800.0
CHANNELS = ("in_person", "citizen_reception", "post", "transferred")


def _digits(text: str, n: int) -> str:
    return str(int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16))[:n].rjust(n, "0")


def _split(amount: float) -> tuple[float, float]:
    compensation = round(amount * COMPENSATION_SHARE, -3)
    return compensation, amount - compensation


def _last(events: pd.DataFrame, event: str) -> pd.DataFrame:
    rows = events[(events["event"] == event) & events["amount_vnd"].notna()]
    return rows.sort_values(["event_date"], kind="stable").groupby("parcel_id").tail(1)


def households_table(parcels: pd.DataFrame) -> pd.DataFrame:
    """The households register (columns of ``domain.people.REGISTER_COLUMNS["households"]``)."""
    own = parcels[parcels["household_id"].notna()].sort_values(["project_id", "household_id", "parcel_id"])
    rows = []
    for (project, household), group in own.groupby(["project_id", "household_id"], sort=True):
        first = group.iloc[0]
        numbers = sorted({parcel_key(n) for n in group["parcel_number"]}, key=parcel_sort_key)
        rows.append({"household_id": household, "project_id": project, "name": first["owner_name"],
                     "id_number": "0" + _digits(household + "cccd", 11), "phone": "09" + _digits(household + "sdt", 8),
                     "address": f"{first['commune_former']}, {first['commune']}", "commune": first["commune"],
                     "parcel_keys": ";".join(map(str, numbers)), "land_use": first["land_use"],
                     "area_m2": round(float(group["area_to_recover_m2"].sum()), 1)})
    return pd.DataFrame(rows, columns=list(REGISTER_COLUMNS["households"]))


def _entitlements(parcels: pd.DataFrame) -> dict[str, str]:
    mine = parcels[(parcels["project_id"] == AREA_PROJECT) & parcels["land_use"].isin(RESIDENTIAL)
                   & parcels["household_id"].notna()]
    lost = mine.groupby("household_id")["area_to_recover_m2"].sum()
    return {h: ("B" if m2 >= ENTITLED_B_M2 else "A") for h, m2 in lost.items() if m2 >= ENTITLED_M2}


def plans_table(parcels: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The plans register: one per household with an approval (module docstring)."""
    approved = _last(events, "approved").merge(parcels[["parcel_id", "household_id"]], on="parcel_id")
    approved = approved[approved["household_id"].notna()]
    last = approved.groupby(["project_id", "household_id"])["event_date"].max().reset_index()
    decisions = {key: f"{n}/QĐ-UBND" for n, key in enumerate(
        sorted(set(zip(last["project_id"], last["event_date"], strict=True))), start=101)}
    entitled = _entitlements(parcels)
    rows = []
    for (project, household), group in approved.groupby(["project_id", "household_id"], sort=True):
        parts = [_split(a) for a in group["amount_vnd"]]
        decided = group["event_date"].max()   # the plan is complete when its last parcel is approved
        klass = entitled.get(household) if project == AREA_PROJECT else None
        rows.append({"household_id": household, "project_id": project,
                     "compensation_vnd": sum(p[0] for p in parts), "support_vnd": sum(p[1] for p in parts),
                     "resettlement_vnd": LOT_M2[klass] * LOT_PRICE_VND_M2 * 0.5 if klass else 0.0,
                     "decision_number": decisions[(project, decided)], "decision_date": decided,
                     "effective_date": decided, "resettlement_entitlement": klass or "none"})
    return pd.DataFrame(rows, columns=list(REGISTER_COLUMNS["plans"]))


def payments_table(parcels: pd.DataFrame, events: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    """The payments register: the compensation and support rows of every paid parcel, and the resettlement
    part of each entitled plan with the household's first payment."""
    paid = _last(events, "paid").merge(parcels[["parcel_id", "household_id"]], on="parcel_id")
    paid = paid[paid["household_id"].notna()].sort_values(["project_id", "event_date", "parcel_id"], kind="stable")
    resettlement = {(r.project_id, r.household_id): r.resettlement_vnd for r in plans.itertuples()
                    if r.resettlement_vnd > 0}
    rows = []
    for n, row in enumerate(paid.itertuples(), start=1):
        compensation, support = _split(row.amount_vnd)
        receipt = f"PC-{row.project_id}-{n:05d}"
        extra = resettlement.pop((row.project_id, row.household_id), 0.0)
        for part, amount in (("compensation", compensation), ("support", support), ("resettlement", extra)):
            if amount > 0:
                rows.append({"household_id": row.household_id, "project_id": row.project_id,
                             "payment_date": row.event_date, "amount_vnd": amount, "part": part,
                             "receipt_number": receipt})
    return pd.DataFrame(rows, columns=list(REGISTER_COLUMNS["payments"]))


def complaints_table(parcels: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The letters register: one letter per ``complaint`` event (module docstring)."""
    flags = events[events["event"].isin(["complaint", "complaint_resolved"])].sort_values(
        ["parcel_id", "event_date", "event"], kind="stable")
    info = parcels.set_index("parcel_id")
    rows = []
    complaints = flags[flags["event"] == "complaint"].sort_values(["project_id", "event_date", "parcel_id"],
                                                                  kind="stable")
    numbers: dict[str, int] = {}
    for row in complaints.itertuples():
        n = numbers[row.project_id] = numbers.get(row.project_id, 0) + 1
        later = flags[(flags["parcel_id"] == row.parcel_id) & (flags["event"] == "complaint_resolved")
                      & (flags["event_date"] >= row.event_date)]
        resolved = later["event_date"].min() if len(later) else None
        accepted = min(row.event_date + pd.Timedelta(days=7), resolved) if resolved else \
            row.event_date + pd.Timedelta(days=7)
        parcel = info.loc[row.parcel_id]
        rows.append({"letter_id": f"DT-{row.project_id}-{n:04d}", "project_id": row.project_id,
                     "commune": parcel["commune"], "received_date": row.event_date,
                     "channel": CHANNELS[n % len(CHANNELS)], "household_id": parcel["household_id"],
                     "parcels": parcel_key(parcel["parcel_number"]), "kind": "complaint",
                     "subject": "land_price" if n % 3 else "area", "body": "district_people_committee",
                     "accepted_date": accepted, "status": "resolved" if resolved else "verifying",
                     "outcome": "Giữ nguyên phương án đã phê duyệt" if resolved else None,
                     "published_date": resolved, "closed_date": resolved, "round": 1, "complicated": False,
                     "remote_area": False})
    return pd.DataFrame(rows, columns=list(REGISTER_COLUMNS["complaints"]))


def _area_polygon(projects: gpd.GeoDataFrame, n_lots_m2: float):
    boundary = projects.set_index("project_id").geometry[AREA_PROJECT]
    centre = boundary.representative_point()
    side = math.sqrt(n_lots_m2 * 1.6)   # roads and green space: 60 % on top of the lots
    for step in range(1, 40):
        x, y = centre.x + 250.0 * step, centre.y
        candidate = box(x, y, x + side, y + side * 0.6)
        if shapely.distance(candidate, boundary) >= 250.0:
            return candidate
    return box(centre.x + 10_000, centre.y, centre.x + 10_000 + side, centre.y + side * 0.6)


def resettlement_tables(projects: gpd.GeoDataFrame, plans: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(areas, lots): the one demo resettlement area with its lots (module docstring)."""
    needed = plans[plans["resettlement_entitlement"] != "none"]["resettlement_entitlement"].value_counts()
    lots = []
    for klass in sorted(LOT_M2):
        count = int(needed.get(klass, 0))
        count += max(2, math.ceil(count * 0.1))
        for _ in range(count):
            lots.append({"area_id": AREA_ID, "lot_number": f"{klass}{len(lots) + 1:03d}", "lot_class": klass,
                         "area_m2": LOT_M2[klass], "price_vnd": LOT_M2[klass] * LOT_PRICE_VND_M2,
                         "status": "available"})
    lots_frame = pd.DataFrame(lots, columns=list(REGISTER_COLUMNS["lots"]))
    polygon = _area_polygon(projects, float(lots_frame["area_m2"].sum()))
    areas = pd.DataFrame([{"area_id": AREA_ID, "project_id": AREA_PROJECT, "name": "Khu tái định cư Gia Cát (QL4B)",
                           "planned_completion_date": pd.Timestamp("2024-06-30").date(),
                           "actual_completion_date": None, "construction_percent": 85.0,
                           "geometry_wkt": shapely.to_wkt(polygon, rounding_precision=2)}],
                         columns=list(REGISTER_COLUMNS["areas"]))
    return areas, lots_frame


#: Days after the decision took effect of the three invitations and of the deposit (refusals).
INVITATION_DAYS, DEPOSIT_DAY = (10, 20, 30), 45
#: Share of the approved money the investor transferred before each decision took effect.
TRANSFER_SHARE, TRANSFER_LEAD_DAYS = 0.9, 5


def refusals_table(plans: pd.DataFrame, payments: pd.DataFrame, last_day) -> pd.DataFrame:
    """The refusals register: the invitations a household received before it came for its money, and the
    deposits of the plans still unpaid (module docstring)."""
    came = payments.groupby(["project_id", "household_id"])["payment_date"].min()
    rows, numbers = [], {}
    last_day = pd.Timestamp(last_day)
    for plan in plans.sort_values(["project_id", "effective_date", "household_id"]).itertuples():
        effective = pd.Timestamp(plan.effective_date)
        first = came.get((plan.project_id, plan.household_id))
        came_for_it = first is not None and not pd.isna(first)
        steps = [(f"invited_{k}", days, "GM") for k, days in enumerate(INVITATION_DAYS, start=1)]
        if not came_for_it:
            steps.append(("deposited", DEPOSIT_DAY, "KB"))
        for step, days, prefix in steps:
            day = effective + pd.Timedelta(days=days)
            if (day >= pd.Timestamp(first)) if came_for_it else (day > last_day):  # invited only before it came
                break
            n = numbers[(plan.project_id, prefix)] = numbers.get((plan.project_id, prefix), 0) + 1
            rows.append({"household_id": plan.household_id, "project_id": plan.project_id, "step": step,
                         "step_date": day, "document_number": f"{prefix}-{plan.project_id}-{n:04d}"})
    return pd.DataFrame(rows, columns=list(REGISTER_COLUMNS["refusals"]))


def transfers_table(plans: pd.DataFrame) -> pd.DataFrame:
    """The investor's transfers: per project and month, 90 % of the plans taking effect that month, 5 days
    before the first of them (module docstring)."""
    need = plans.assign(need=plans["compensation_vnd"] + plans["support_vnd"] + plans["resettlement_vnd"],
                        effective=pd.to_datetime(plans["effective_date"]))
    need["month"] = need["effective"].dt.to_period("M")
    rows = []
    for project, per_project in need.groupby("project_id", sort=True):
        for n, (_month, group) in enumerate(per_project.groupby("month", sort=True), start=1):
            rows.append({"project_id": project,
                         "transfer_date": group["effective"].min() - pd.Timedelta(days=TRANSFER_LEAD_DAYS),
                         "amount_vnd": math.floor(group["need"].sum() * TRANSFER_SHARE / 1e6) * 1e6,
                         "document_number": f"UNC-{project}-{n:04d}"})
    return pd.DataFrame(rows, columns=list(REGISTER_COLUMNS["transfers"]))


#: Register → file in ``data/sources/``.
REGISTER_FILES: dict[str, str] = {
    "households": "households.csv", "plans": "plans.csv", "payments": "payments.csv",
    "complaints": "complaints.csv", "areas": "resettlement_areas.csv", "lots": "lots.csv",
    "refusals": "payment_refusals.csv", "transfers": "fund_transfers.csv",
}


def people_tables(projects: gpd.GeoDataFrame, parcels: pd.DataFrame, events: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every demo register, keyed like :data:`REGISTER_FILES`; ``events`` with ``event_date`` as dates."""
    events = events.assign(event_date=pd.to_datetime(events["event_date"]))
    plans = plans_table(parcels, events)
    areas, lots = resettlement_tables(projects, plans)
    payments = payments_table(parcels, events, plans)
    out = {"households": households_table(parcels), "plans": plans, "payments": payments,
           "complaints": complaints_table(parcels, events), "areas": areas, "lots": lots,
           "refusals": refusals_table(plans, payments, events["event_date"].max()), "transfers": transfers_table(plans)}
    for frame in out.values():
        for column in frame.columns:
            if frame[column].dtype.kind == "M":
                frame[column] = frame[column].dt.date
            elif column.endswith("_date"):
                frame[column] = [v.date() if isinstance(v, pd.Timestamp) else v for v in frame[column]]
    return out


def write_register_csv(frame: pd.DataFrame, path) -> None:
    """UTF-8 with BOM, ``,``, ISO dates, ``\\n`` line ends, amounts in whole đồng (as ``events.csv``)."""
    out = frame.copy()
    for column in out.columns:
        if column.endswith("_vnd"):
            out[column] = out[column].round().astype("Int64")
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n", float_format="%.1f")

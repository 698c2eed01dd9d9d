"""Codes of the people side of clearance: plans, payments, complaints (đơn thư), resettlement lots.

Codes only, no display text (Vietnamese words: ``vocab.people``). The registers that use them are
described in DATA_MODEL.md ("People side"). Sources:

- plan parts: a compensation, support and resettlement plan (phương án bồi thường, hỗ trợ và tái định
  cư) has these three parts (Land Law 2024 arts. 91–111);
- payment refusal: a household that does not come to receive the money is invited up to three times,
  then the money is deposited to the custody account at the State Treasury (Land Law 2024 art. 94(5));
- complaint kinds: the Law on Complaints 2011 (khiếu nại), the Law on Denunciations 2018 (tố cáo),
  Decree 124/2020 art. 2 / Law on Citizen Reception 2013 (kiến nghị, phản ánh);
- complaint statuses follow the Law on Complaints 2011 procedure: received → accepted (thụ lý, art. 27)
  → verifying (xác minh, art. 29) → dialogue (đối thoại, art. 30) → resolved (quyết định giải quyết,
  art. 31); ``withdrawn`` (rút đơn, art. 10); ``escalated`` (khiếu nại lần hai / khởi kiện, art. 33).
"""
from __future__ import annotations

#: Parts of a compensation plan and of a payment, in plan order.
PLAN_PARTS: tuple[str, ...] = ("compensation", "support", "resettlement")

#: Steps of a household that refuses the money (in order; ``deposited`` ends them).
PAYMENT_REFUSAL_STEPS: tuple[str, ...] = ("invited_1", "invited_2", "invited_3", "deposited")

#: Kinds of letters (đơn thư). Only ``complaint`` (khiếu nại) runs the Law on Complaints clock.
COMPLAINT_KINDS: tuple[str, ...] = ("complaint", "denunciation", "petition", "feedback")

#: What a letter is about.
COMPLAINT_SUBJECTS: tuple[str, ...] = (
    "land_price", "area", "land_origin", "assets", "support", "resettlement", "procedure", "other",
)

#: Bodies competent to resolve a letter, lowest level first (first-time resolution: the body that made
#: the decision; second time: the next level, Law on Complaints 2011 arts. 17–21).
COMPETENT_BODIES: tuple[str, ...] = (
    "commune_people_committee",      # UBND xã / phường
    "land_fund_centre",              # Trung tâm Phát triển quỹ đất
    "natural_resources_office",      # Phòng Tài nguyên và Môi trường
    "district_people_committee",     # UBND huyện (cấp huyện cũ)
    "natural_resources_department",  # Sở Tài nguyên và Môi trường / Sở Nông nghiệp và Môi trường
    "provincial_people_committee",   # UBND tỉnh
)

#: Channels a letter arrives by.
COMPLAINT_CHANNELS: tuple[str, ...] = ("in_person", "post", "citizen_reception", "transferred", "online")

#: Statuses of a letter, in procedure order.
COMPLAINT_STATUSES: tuple[str, ...] = (
    "received", "accepted", "verifying", "dialogue", "resolved", "withdrawn", "escalated",
)

#: Statuses that stop a letter's clock (it is no longer open).
CLOSED_COMPLAINT_STATUSES: frozenset[str] = frozenset({"resolved", "withdrawn", "escalated"})

#: Statuses while the body is working on an accepted letter (the clock runs from the accepted date).
RUNNING_COMPLAINT_STATUSES: frozenset[str] = frozenset({"accepted", "verifying", "dialogue"})

#: Resolution rounds of a complaint (Law on Complaints 2011 art. 28: first; art. 37: second).
RESOLUTION_ROUNDS: tuple[int, ...] = (1, 2)

#: Statuses of a resettlement lot.
LOT_STATUSES: tuple[str, ...] = ("planned", "available", "reserved", "allocated", "handed_over")

#: Construction status of a resettlement area at a date (:func:`milestones.area_progress.area_progress`): not
#: complete and the planned date not passed; not complete and past it (chậm N ngày); completed on or before the
#: planned date; completed after it; no planned date recorded.
AREA_PROGRESS_STATUSES: tuple[str, ...] = ("on_schedule", "late", "done", "done_late", "no_plan")

#: Statuses of a lot that a lottery may draw.
DRAWABLE_LOT_STATUSES: frozenset[str] = frozenset({"available"})

#: Resettlement entitlement of a household in its approved plan: no lot, or a lot of a class
#: (classes are the project's own codes, e.g. ``A`` for a lot of 100 m², ``B`` for 120 m²).
NO_ENTITLEMENT = "none"

#: Class of a lot when the register leaves ``lot_class`` blank (an area with one class of lot).
DEFAULT_LOT_CLASS = "A"

#: Registers kept in the store (``store.registers``), the tables' column contract (DATA_MODEL.md
#: "People side"). ``areas`` (khu tái định cư) carries its polygon as ``geometry_wkt`` (EPSG:9215).
REGISTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "households": ("household_id", "project_id", "name", "id_number", "phone", "address", "commune",
                   "parcel_keys", "land_use", "area_m2", "stage", "stage_date"),
    "plans": ("household_id", "project_id", "compensation_vnd", "support_vnd", "resettlement_vnd",
              "decision_number", "decision_date", "effective_date", "resettlement_entitlement"),
    "payments": ("household_id", "project_id", "payment_date", "amount_vnd", "part", "receipt_number"),
    "complaints": ("letter_id", "project_id", "commune", "received_date", "channel", "household_id", "parcels",
                   "kind", "subject", "body", "accepted_date", "status", "outcome", "published_date",
                   "closed_date", "round", "complicated", "remote_area"),
    "lots": ("area_id", "lot_number", "lot_class", "area_m2", "price_vnd", "status"),
    "areas": ("area_id", "project_id", "name", "planned_completion_date", "actual_completion_date",
              "construction_percent", "geometry_wkt"),
    # a household that does not come for the money: each invitation (mời nhận tiền lần 1/2/3) and the
    # deposit to the custody account at the State Treasury (gửi tiền vào tài khoản tạm giữ), art. 94(5)
    "refusals": ("household_id", "project_id", "step", "step_date", "document_number"),
    # the investor's transfers of compensation money to the centre (bố trí kinh phí BT, HT & TĐC)
    "transfers": ("project_id", "transfer_date", "amount_vnd", "document_number"),
    # the project's procedure plan: the steps sheet of the household × step matrix (code, name, legal basis,
    # lead and supporting body, minimum days, planned and actual dates) and the stage its step maps to
    "procedure": ("project_id", "step_code", "name", "legal_basis", "lead_body", "support_body", "min_days",
                  "planned_date", "actual_date", "stage"),
}

#: The columns that identify a row of each register: a later import with the same key is a new version
#: of that row (the earlier one is kept), an identical row is not recorded again.
REGISTER_KEYS: dict[str, tuple[str, ...]] = {
    "households": ("project_id", "household_id"),
    "plans": ("project_id", "household_id"),
    "payments": ("project_id", "receipt_number", "part"),
    "complaints": ("project_id", "letter_id"),
    "lots": ("area_id", "lot_number"),
    "areas": ("area_id",),
    "refusals": ("project_id", "household_id", "step"),
    "transfers": ("project_id", "document_number"),
    "procedure": ("project_id", "step_code"),
}

#: Register kinds a file import may name (``cli.py import-register --kind``; ``matrix`` = the household ×
#: step matrix, which fills ``households`` and the ledger).
IMPORT_KINDS: tuple[str, ...] = ("households", "plans", "payments", "refusals", "transfers", "complaints", "lots",
                                 "areas", "matrix")

#: ``register_imports.kind`` of an import recorded before the kind was (migration 0017) when the store cannot
#: tell it from what the import wrote.
UNKNOWN_IMPORT_KIND = "unknown"

#: Personal data in the registers (Decree 13/2023/NĐ-CP): read only with ``read_personal``.
PERSONAL_REGISTER_COLUMNS: dict[str, tuple[str, ...]] = {"households": ("name", "id_number", "phone", "address")}

#: Date, number and flag columns of the registers (the rest is text).
REGISTER_DATE_COLUMNS: frozenset[str] = frozenset({
    "decision_date", "effective_date", "payment_date", "received_date", "accepted_date", "published_date",
    "closed_date", "planned_completion_date", "actual_completion_date", "step_date", "transfer_date",
    "planned_date", "actual_date", "stage_date",
})
REGISTER_FLOAT_COLUMNS: frozenset[str] = frozenset({
    "area_m2", "compensation_vnd", "support_vnd", "resettlement_vnd", "amount_vnd", "price_vnd",
    "construction_percent", "min_days",
})
REGISTER_INT_COLUMNS: frozenset[str] = frozenset({"round"})
REGISTER_BOOL_COLUMNS: frozenset[str] = frozenset({"complicated", "remote_area"})

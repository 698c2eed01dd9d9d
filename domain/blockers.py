"""Codes of the blocking-set computation (``milestones.blockers``, ``milestones.clocks``); labels: ``vocab.labels``.

What a parcel must go through next, who must act, and what holds it back. The default bodies follow the
assignments of the 2024 plan of Cao Lộc district (DOMAIN.md, seed 002): the Land Fund Development Centre
(TTPTQĐ) runs the inventory, the plan, payment, compulsory inventory and enforcement; Phòng TN&MT appraises
the plan and advises the recovery decisions; the commune people's committee (UBND xã) mobilises households
and receives and settles complaints; the district project board (Ban QLDA) provides the compensation funds.
The table is configurable (``responsible`` in ``rules.yaml``).
"""
from __future__ import annotations

#: The next action of a parcel at each stage (the step that moves it to the next stage).
NEXT_ACTION_BY_STAGE: dict[str, str] = {
    "not_started": "issue_notice",
    "notice": "conduct_inventory",
    "inventory": "post_plan",
    "plan_posted": "approve_plan",
    "approved": "pay_compensation",
    "paid": "hand_over_site",
}

#: Actions that are not a stage step: settling an open complaint.
RESOLVE_COMPLAINT = "resolve_complaint"

#: Every next-action code, in process order.
NEXT_ACTIONS: tuple[str, ...] = (*NEXT_ACTION_BY_STAGE.values(), RESOLVE_COMPLAINT)

#: Responsible bodies.
BODIES: tuple[str, ...] = ("ttptqd", "ubnd_xa", "phong_tnmt", "ban_qlda", "ubnd_huyen")

#: Default responsible body per action (seed 002; ``rules.yaml`` key ``responsible`` overrides).
DEFAULT_RESPONSIBLE: dict[str, str] = {
    "issue_notice": "phong_tnmt",
    "conduct_inventory": "ttptqd",
    "post_plan": "ttptqd",
    "approve_plan": "phong_tnmt",
    "pay_compensation": "ttptqd",
    "hand_over_site": "ttptqd",
    RESOLVE_COMPLAINT: "ubnd_xa",
}

#: Obstacles that push a parcel later in the ranking (each adds ``obstacle_delay_days`` of ``rules.yaml``).
OBSTACLES: tuple[str, ...] = ("complaint_open", "compulsory_inventory", "enforced", "payment_overdue")

#: Milestone units of a shortfall: what the blocking set counts.
SHORTFALL_UNITS: dict[str, str] = {
    "percent_area_handed_over": "m2",
    "percent_households_paid": "households",
    "percent_sites_handed_over": "sites",
}

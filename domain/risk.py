"""Risk-flag codes of a parcel (computed by ``milestones.risk``; labels: ``vocab.labels.risk_flag_label``)."""
from __future__ import annotations

#: Stages a parcel can be stuck in (``not_started`` and ``handed_over`` never are).
STUCK_STAGES: tuple[str, ...] = ("notice", "inventory", "plan_posted", "approved", "paid")

#: Risk-flag codes in display order (``stuck_<stage>`` for each stage that can be stuck).
RISK_CODES: tuple[str, ...] = ("milestone_at_risk", *(f"stuck_{s}" for s in STUCK_STAGES),
                               "complaint_open", "enforced", "compulsory_inventory")

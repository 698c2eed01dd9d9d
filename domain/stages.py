"""The stage and flag codes of GPMB Tracker, used in data, code, CLI and uploads (labels: ``vocab.labels``).

A parcel touched by a project moves through the clearance stages in this order (Land Law 2013
arts. 61–62, 67, 69, 93; Land Law 2024 arts. 78–79, 87–89, 94). "Cleared" means handed over:
clearance % = area handed over ÷ area to be recovered.

Flags are recorded beside the stage: they do not move a parcel along the process.
``complaint_resolved`` closes an open ``complaint``.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: Clearance stages, in process order (index = rank).
STAGES: tuple[str, ...] = (
    "not_started",
    "notice",
    "inventory",
    "plan_posted",
    "approved",
    "paid",
    "handed_over",
)


#: Flags beside the stage (event codes that do not change the stage).
FLAGS: tuple[str, ...] = ("complaint", "enforced", "compulsory_inventory")


#: Event that closes an open complaint.
COMPLAINT_RESOLVED = "complaint_resolved"

#: Every event code the ledger accepts (``not_started`` is a state, never an event).
EVENT_CODES: tuple[str, ...] = STAGES[1:] + FLAGS + (COMPLAINT_RESOLVED,)


def stage_rank(stage: str) -> int:
    """Position of ``stage`` in :data:`STAGES` (0 = ``not_started``).

    Raises
    ------
    ValueError
        If ``stage`` is not a stage code.
    """
    try:
        return STAGES.index(stage)
    except ValueError:
        raise ValueError(f"Unknown stage {stage!r}; expected one of {', '.join(STAGES)}") from None




#: Rank of each stage code (position in :data:`STAGES`).
STAGE_RANK: dict[str, int] = {s: i for i, s in enumerate(STAGES)}

#: Rank of ``paid`` (a household is "paid" at this rank or beyond).
PAID_RANK: int = STAGE_RANK["paid"]

#: Rank of ``handed_over`` (the parcel's area counts as cleared).
HANDED_OVER_RANK: int = STAGE_RANK["handed_over"]


def stage_ranks(codes: Iterable[object]) -> np.ndarray:
    """Rank of each code as an int64 array: the :data:`STAGES` position, -1 for any other code.

    Vectorised through the distinct codes (a ledger has hundreds of thousands of events, a handful of
    codes). Flags, ``complaint_resolved``, None and unknown text all give -1.
    """
    import numpy as np  # here, not at the top: the codes are read without them (``cli.py status``)
    import pandas as pd

    values = pd.Categorical(pd.Series(list(codes) if not isinstance(codes, pd.Series) else codes,
                                      dtype=object).astype("string"))
    lookup = np.array([STAGE_RANK.get(c, -1) for c in values.categories], dtype="int64")
    return np.where(values.codes >= 0, lookup[values.codes] if len(lookup) else -1, -1).astype("int64")

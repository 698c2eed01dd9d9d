"""Step → stage mapping of a household × step register, proposed from the step names.

The rules are a table, tried in order on the folded step name (``parsing.text.fold_vi``); the first
match wins. Steps of an optional branch (kiểm đếm bắt buộc, cưỡng chế) map to a flag and NEVER set the
main stage: a handover counts only from the handover-minutes step itself (``biên bản bàn giao mặt
bằng``), not from a step of the enforcement procedure that mentions handing over.
"""
from __future__ import annotations

from collections.abc import Mapping

from domain.stages import FLAGS, STAGES
from parsing.text import fold_vi
from vocab.labels import stage_label

#: Branch words (folded) → flag code: checked first, so a branch step never maps to a stage.
BRANCH_RULES: tuple[tuple[str, str], ...] = (
    ("cuong che", "enforced"),
    ("kiem dem bat buoc", "compulsory_inventory"),
)

#: Folded phrases → stage code, in the order they are tried.
STAGE_RULES: tuple[tuple[str, str], ...] = (
    ("bien ban ban giao mat bang", "handed_over"),
    ("phieu chi", "paid"),
    ("bien ban nhan tien", "paid"),
    ("quyet dinh phe duyet phuong an", "approved"),
    ("phe duyet phuong an", "approved"),
    ("niem yet", "plan_posted"),
    ("cong khai du thao phuong an", "plan_posted"),
    ("kiem dem", "inventory"),
    ("thong bao thu hoi dat", "notice"),
)


def propose_step_mapping(step_names: Mapping[str, str]) -> dict[str, str | None]:
    """Step code → stage code, ``flag:<code>`` for a branch step, or None (unmapped), from step names.

    ``{"C001": "Thông báo thu hồi đất", "C090": "Cưỡng chế thu hồi đất, bàn giao mặt bằng"}`` →
    ``{"C001": "notice", "C090": "flag:enforced"}``.
    """
    return {code: map_step_name(name) for code, name in step_names.items()}


def map_step_name(name: str) -> str | None:
    """The mapping of one step name (see :func:`propose_step_mapping`)."""
    folded = fold_vi(name or "")
    for phrase, flag in BRANCH_RULES:
        if phrase in folded:
            return f"flag:{flag}"
    for phrase, stage in STAGE_RULES:
        if phrase in folded:
            return stage
    return None


def is_branch_step(name: str) -> bool:
    """Whether a step name belongs to an optional branch (cưỡng chế, kiểm đếm bắt buộc; :data:`BRANCH_RULES`)."""
    folded = fold_vi(name or "")
    return any(phrase in folded for phrase, _ in BRANCH_RULES)


def check_branch_steps(mapping: Mapping[str, str | None], step_names: Mapping[str, str]) -> list[str]:
    """Vietnamese messages for branch steps (:func:`is_branch_step` on their name) mapped to a main stage.

    A step of the enforcement or compulsory-inventory procedure may raise its flag or be left unmapped, never
    set the main stage: its "bàn giao mặt bằng" is the enforcement's, not the household's handover.
    """
    return [f"bước {code} («{step_names[code]}») thuộc nhánh cưỡng chế / kiểm đếm bắt buộc: chỉ được ánh xạ "
            f"vào nhánh hoặc để trống, không vào giai đoạn «{stage_label(target)}»"
            for code, target in mapping.items()
            if target in STAGES and code in step_names and is_branch_step(step_names[code])]


def check_mapping(mapping: Mapping[str, str | None]) -> list[str]:
    """Vietnamese messages for targets of ``mapping`` that are neither a stage, ``flag:<flag>`` nor None."""
    valid = set(STAGES[1:]) | {f"flag:{f}" for f in FLAGS}
    return [f"bước {code}: «{target}» không phải giai đoạn hay nhánh hợp lệ"
            for code, target in mapping.items() if target is not None and target not in valid]

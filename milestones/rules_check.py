"""Checking a rules text before the store keeps it (issue 10: the rules live in the store).

``Store.set_rules(text, ..., validate=validate_rules_text)``: the store only checks that the text is a
YAML mapping; whether the computations can use it is decided here, by :func:`milestones.rules.resolve_rules`.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from domain.errors import GpmbError
from milestones.rules import resolve_rules


class RulesError(GpmbError):
    """A rules text the computations cannot use (Vietnamese message naming the key or the YAML line)."""


def validate_rules_text(text: str) -> dict[str, Any]:
    """Check a rules text before it is stored (``Store.set_rules(..., validate=validate_rules_text)``).

    Parameters
    ----------
    text : str
        YAML as in ``data/sources/rules.yaml`` (partial: missing keys take :data:`milestones.rules.DEFAULT_RULES`).

    Returns
    -------
    dict
        The resolved rules (:func:`resolve_rules`).

    Raises
    ------
    RulesError
        Not YAML, not a mapping, or a value :func:`resolve_rules` refuses (a negative or non-numeric
        duration, a zero forecast window).
    """
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark is not None else ""
        raise RulesError(f"Quy tắc không đọc được (YAML){where}: {getattr(exc, 'problem', None) or exc}.") from None
    if not isinstance(parsed, Mapping):
        raise RulesError("Quy tắc phải là một bảng «khoá: giá trị» (YAML mapping), ví dụ «forecast_window_days: 60».")
    try:
        return resolve_rules(parsed)
    except (ValueError, TypeError) as exc:
        raise RulesError(f"Quy tắc không hợp lệ: {exc}") from None

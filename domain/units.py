"""Units sharing one store (issue 10, "a shared province server"): codes and the default unit.

A *unit* owns projects: before 1/7/2025 the district (huyện) whose Land Fund Development Centre runs
the clearance, after it the commune-level unit that owns the project (the district level was
abolished, Resolution 202/2025/QH15). Several units share one PostGIS database; each account sees and
writes its units' projects (:func:`domain.roles.unit_scope`). A unit is identified by its code
(``units.unit_code``, text: the GSO code of the district or commune) and carries its name and province.
"""
from __future__ import annotations

import re

#: The unit of the bundled data and of a store written before units existed: huyện Cao Lộc, GSO code 183.
DEFAULT_UNIT_CODE = "183"
DEFAULT_UNIT_NAME = "Huyện Cao Lộc"
DEFAULT_UNIT_PROVINCE = "Lạng Sơn"

#: ``store_meta`` key naming the unit of projects without one (migration 0009 and layer writes).
DEFAULT_UNIT_META_KEY = "default_unit"

#: A unit code: 1–16 characters, letters, digits, '_' or '-' (GSO codes are digits).
UNIT_CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,15}")


def is_unit_code(code) -> bool:
    """Whether ``code`` is a well-formed unit code (:data:`UNIT_CODE_PATTERN`)."""
    return isinstance(code, str) and UNIT_CODE_PATTERN.fullmatch(code) is not None

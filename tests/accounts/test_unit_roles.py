"""domain.roles with units (issue 10): an account with units acts only on rows of its units."""
from __future__ import annotations

import pytest

from domain.roles import ALL_UNITS, OFFICER, Account, PermissionDeniedError, allows, require, sees_unit, unit_scope


def officer(*units):
    return Account(username="cb", display_name="Cán bộ", role=OFFICER, units=tuple(units))


def test_scope_of_province_and_unit_accounts():
    assert unit_scope(None) is None and unit_scope(officer()) is None and unit_scope(officer(ALL_UNITS)) is None
    assert unit_scope(officer("183", "184")) == {"183", "184"}
    assert sees_unit(officer(), "999") and sees_unit(officer(), None)
    assert sees_unit(officer("183"), "183") and not sees_unit(officer("183"), "184")
    assert not sees_unit(officer("183"), None)  # a row of no unit: province accounts only


def test_require_names_the_unit():
    require(officer("183"), "upload_counts", unit="183")
    assert not allows(officer("183"), "upload_counts", unit="184")
    with pytest.raises(PermissionDeniedError) as refused:
        require(officer("183"), "upload_counts", unit="184")
    assert refused.value.unit == "184" and "«184»" in refused.value.message_vi
    with pytest.raises(PermissionDeniedError):  # the role still decides first-hand actions
        require(officer("183"), "manage_users", unit="183")

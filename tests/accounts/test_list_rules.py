"""The list rule of :mod:`domain.roles` (``sees_units``, ``sees_communes``): what a scoped account's lists show."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.roles import Account, commune_scoped, sees_communes, sees_units

UNITS = st.sets(st.sampled_from(["183", "184", "185", None]), max_size=3)
COMMUNES = st.sets(st.sampled_from(["Phường Kỳ Lừa", "phường  kỳ lừa", "Xã Đồng Đăng", None]), max_size=3)


@given(UNITS, st.sets(st.sampled_from(["183", "184", "185"]), min_size=1, max_size=2))
def test_a_unit_account_sees_records_wholly_within_its_units(units, scope):
    account = Account("qt", "", "admin", units=tuple(sorted(scope)))
    assert sees_units(account, units) == (bool(units) and all(u is not None and u in scope for u in units))
    assert sees_units(Account("tinh", "", "admin"), units)                  # province level: everything
    assert sees_units(Account("tinh", "", "admin", units=("*",)), units)


@given(COMMUNES)
def test_a_commune_officer_sees_records_wholly_within_his_communes(communes):
    officer = Account("xa", "", "commune_officer", communes=("Phường Kỳ Lừa",))
    assert commune_scoped(officer) and not commune_scoped(Account("cb", "", "officer"))
    expected = bool(communes) and None not in communes and all(c.casefold().split() == ["phường", "kỳ", "lừa"]
                                                               for c in communes)
    assert sees_communes(officer, communes) == expected
    assert sees_communes(Account("cb", "", "officer"), communes)            # not commune-scoped: everything

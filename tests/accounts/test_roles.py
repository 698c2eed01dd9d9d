"""Roles and permissions as data (domain.roles) and their Vietnamese names (vocab.roles): no store."""
from __future__ import annotations

import pytest

from domain.roles import (
    ACTIONS,
    PERMISSIONS,
    ROLES,
    Account,
    AccountDisabledError,
    PermissionDeniedError,
    allows,
    require,
)
from vocab.roles import ACTION_LABELS_VI, ROLE_LABELS_VI, permission_denied_text

VIEWER = Account("lanhdao", "Lãnh đạo", "viewer")
LAN = Account("lan", "Nguyễn Thị Lan", "commune_officer", communes=("Phường Kỳ Lừa",))
OFFICER = Account("hung", "Trần Văn Hùng", "officer")
ADMIN = Account("admin", "Quản trị", "admin")


def test_every_role_and_action_has_a_vietnamese_name():
    assert set(ROLE_LABELS_VI) == set(ROLES) == set(PERMISSIONS)
    assert set(ACTION_LABELS_VI) == set(ACTIONS)
    assert all(set(grants) <= set(ACTIONS) for grants in PERMISSIONS.values())


@pytest.mark.parametrize(("account", "granted"), [
    (VIEWER, {"read_figures"}),
    (OFFICER, {"read_figures", "read_personal", "upload_counts", "export", "export_personal",
               "draw_lottery"}),  # issue 12: the centre's officers record the resettlement lottery
    (ADMIN, set(ACTIONS)),
])
def test_the_matrix_grants_exactly_what_the_issue_lists(account, granted):
    assert {a for a in ACTIONS if allows(account, a, commune="Xã Đồng Đăng")} == granted


def test_viewer_never_sees_personal_data_nor_writes():
    for action in ("read_personal", "upload_counts", "export_personal", "revert", "manage_users"):
        with pytest.raises(PermissionDeniedError):
            require(VIEWER, action)


def test_commune_officer_uploads_only_for_own_communes_row_by_row():
    require(LAN, "upload_counts", commune="Phường Kỳ Lừa")
    require(LAN, "upload_counts", commune="  phường  KỲ LỪA ")  # case and spaces do not matter
    with pytest.raises(PermissionDeniedError) as refused:
        require(LAN, "upload_counts", commune="Xã Đồng Đăng")
    assert refused.value.commune == "Xã Đồng Đăng" and refused.value.action == "upload_counts"
    with pytest.raises(PermissionDeniedError):
        require(LAN, "upload_counts")  # a scoped grant needs the row's commune
    with pytest.raises(PermissionDeniedError):
        require(LAN, "export")


def test_officer_and_admin_upload_for_every_commune():
    for account in (OFFICER, ADMIN):
        require(account, "upload_counts", commune="Xã Đồng Đăng")
        require(account, "upload_counts")


def test_disabled_account_may_do_nothing():
    disabled = Account("cu", "Cũ", "admin", active=False)
    assert not any(allows(disabled, a) for a in ACTIONS)
    with pytest.raises(AccountDisabledError, match="vô hiệu hoá"):
        require(disabled, "read_figures")


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        require(ADMIN, "delete_everything")


def test_refusal_in_words_names_account_role_action_and_commune():
    with pytest.raises(PermissionDeniedError) as refused:
        require(LAN, "upload_counts", commune="Xã Đồng Đăng")
    assert permission_denied_text(refused.value) == (
        "Tài khoản «lan» (Cán bộ xã) không được tải lên số liệu kiểm đếm tại «Xã Đồng Đăng».")
    assert refused.value.exit_code == 1

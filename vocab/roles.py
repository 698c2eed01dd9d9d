"""Vietnamese names of the role, action and audit codes of :mod:`domain.roles` and :mod:`store.audit`."""
from __future__ import annotations

from domain.roles import PermissionDeniedError

ROLE_LABELS_VI: dict[str, str] = {
    "viewer": "Lãnh đạo (chỉ xem)",
    "commune_officer": "Cán bộ xã",
    "officer": "Cán bộ TTPTQĐ",
    "admin": "Quản trị",
}

ACTION_LABELS_VI: dict[str, str] = {
    "read_figures": "xem số liệu và bản đồ",
    "read_personal": "xem thông tin cá nhân",
    "upload_counts": "tải lên số liệu kiểm đếm",
    "export": "xuất báo cáo",
    "export_personal": "xuất báo cáo có thông tin cá nhân",
    "import_cadastre": "nhập dữ liệu địa chính, ranh giới",
    "revert": "hoàn tác lần tải lên",
    "restore": "khôi phục phiên bản lớp dữ liệu",
    "edit_milestones": "sửa mốc tiến độ và quy tắc",
    "manage_users": "quản lý tài khoản",
    "read_audit": "xem nhật ký kiểm tra",
    "change_settings": "thay đổi cài đặt",
    "draw_lottery": "ghi kết quả bốc thăm giao đất tái định cư",
}

#: Audit action codes (``audit_log.action``) → Vietnamese.
AUDIT_ACTION_LABELS_VI: dict[str, str] = {
    "user_created": "Tạo tài khoản",
    "user_disabled": "Vô hiệu hoá tài khoản",
    "password_set": "Đặt mật khẩu",
    "login_failed": "Đăng nhập thất bại",
    "login": "Đăng nhập",
    "logout": "Đăng xuất",
    "login_resumed": "Tiếp tục phiên đăng nhập (tải lại trang)",
    "export_personal_data": "Xuất tệp có dữ liệu cá nhân",
    "upload_committed": "Ghi lần tải lên số liệu",
    "upload_reverted": "Hoàn tác lần tải lên",
    "layer_replaced": "Thay lớp dữ liệu",
    "layer_restored": "Khôi phục phiên bản lớp",
    "proposal_created": "Đề xuất thao tác chờ duyệt",
    "proposal_confirmed": "Duyệt đề xuất",
    "proposal_rejected": "Từ chối đề xuất",
    "proposal_cancelled": "Huỷ đề xuất",
    "setting_changed": "Thay đổi cài đặt",
    "source_profile_saved": "Lưu hồ sơ nguồn (ánh xạ thuộc tính)",
    "store_initialised": "Khởi tạo kho dữ liệu",
    "store_identity_assigned": "Gán mã nhận diện cho kho dữ liệu",
    "milestone_changed": "Sửa mốc tiến độ",
    "milestones_imported": "Nhập bảng mốc tiến độ",
    "rules_changed": "Sửa quy tắc tính toán",
    "project_changed": "Sửa thông tin dự án",
    "register_imported": "Nhập sổ hộ dân / phương án / chi trả / đơn thư / lô tái định cư",
    "lottery_drawn": "Ghi kết quả bốc thăm tái định cư",
    "register_profile_saved": "Lưu hồ sơ ánh xạ bước → giai đoạn",
}

#: ``proposals.status`` → Vietnamese.
PROPOSAL_STATUS_LABELS_VI: dict[str, str] = {
    "pending": "Chờ duyệt",
    "confirmed": "Đã duyệt và thực hiện",
    "rejected": "Bị từ chối",
    "cancelled": "Đã huỷ",
}

#: ``proposals.action`` → Vietnamese.
PROPOSAL_ACTION_LABELS_VI: dict[str, str] = {
    "revert": "Hoàn tác lần tải lên",
    "replace_layers": "Thay lớp dữ liệu (có xoá thửa)",
    "restore": "Khôi phục phiên bản lớp",
    "milestone_set": "Sửa mốc tiến độ",
    "milestones_import": "Nhập bảng mốc tiến độ",
    "rules_set": "Sửa quy tắc tính toán",
    "project_set": "Sửa thông tin dự án",
}


def role_label(role: str) -> str:
    """Vietnamese name of ``role`` (the code itself when unknown)."""
    return ROLE_LABELS_VI.get(role, role)


def audit_action_label(action: str) -> str:
    """Vietnamese name of an audit action code (the code itself when unknown)."""
    return AUDIT_ACTION_LABELS_VI.get(action, action)


def permission_denied_text(error: PermissionDeniedError) -> str:
    """The refusal in words: ``Tài khoản «lan» (Cán bộ xã) không được tải lên số liệu kiểm đếm tại «Xã A».``"""
    where = f" tại «{error.commune}»" if error.commune is not None else ""
    where += f" thuộc đơn vị «{error.unit}» (ngoài các đơn vị của tài khoản)" if getattr(error, "unit", None) else ""
    return (f"Tài khoản «{error.username}» ({role_label(error.role)}) không được "
            f"{ACTION_LABELS_VI.get(error.action, error.action)}{where}.")

"""The one set of Vietnamese column headers of the parcel list (screen, CSV, XLSX, CLI, Excel report).

Keys are the column codes of the snapshot's parcels (DATA_MODEL.md, ``parcels`` plus ``stage``,
``stage_date``, ``risk_flags`` and amounts); values are the headers people read, with the unit where
there is one. Each view picks the columns it shows, in its own order, but never words them itself.
"""
from __future__ import annotations

#: Parcel column code → Vietnamese header. ``project_id`` shows the project's short name when known.
PARCEL_HEADERS_VI: dict[str, str] = {
    "project_id": "Dự án",
    "commune": "Xã/phường (từ 01/07/2025)",
    "commune_former": "Xã/phường/thị trấn cũ",
    "map_sheet": "Tờ bản đồ số",
    "parcel_number": "Thửa đất số",
    "land_use": "Loại đất",
    "parcel_area_m2": "Diện tích thửa (m²)",
    "area_to_recover_m2": "Diện tích thu hồi (m²)",
    "chainage_m": "Lý trình",
    "stage": "Giai đoạn",
    "stage_date": "Ngày của giai đoạn",
    "amount_approved_vnd": "Kinh phí được phê duyệt (đồng)",
    "amount_paid_vnd": "Đã chi trả (đồng)",
    "risk_flags": "Cờ rủi ro / vướng mắc",
    "household_id": "Mã hộ",
    "parcel_id": "Mã thửa",
    "illustrative": "Dữ liệu minh họa",
    "owner_name": "Chủ sử dụng đất (DỮ LIỆU CÁ NHÂN)",
}

#: Columns of the parcel list on the dashboard, in its downloads and in ``cli.py parcels``, in order.
#: ``owner_name`` (personal data, Decree 13/2023/NĐ-CP) is deliberately left out.
PARCEL_LIST_COLUMNS: tuple[str, ...] = (
    "project_id", "commune", "commune_former", "map_sheet", "parcel_number", "land_use", "area_to_recover_m2",
    "chainage_m", "stage", "stage_date", "risk_flags", "household_id", "parcel_id",
)


def parcel_header(code: str) -> str:
    """Header of a parcel column: ``"area_to_recover_m2"`` → ``"Diện tích thu hồi (m²)"``.

    A column without an entry keeps its code as header, so a new column shows up instead of vanishing.
    """
    return PARCEL_HEADERS_VI.get(code, code)


#: Field aliases of the ``parcel_status`` layer (``domain.tables.PARCEL_STATUS_COLUMNS``), as QGIS shows them:
#: GeoPackage ``gpkg_data_columns``, PostGIS ``COMMENT ON COLUMN``, the QML style. Parcel columns reuse
#: :data:`PARCEL_HEADERS_VI`; the ones only this layer has are worded here. Every alias is distinct.
STATUS_LAYER_HEADERS_VI: dict[str, str] = {
    **{c: PARCEL_HEADERS_VI[c] for c in ("parcel_id", "project_id", "commune", "commune_former", "map_sheet",
                                         "parcel_number", "area_to_recover_m2", "stage", "stage_date",
                                         "risk_flags")},
    "stage_rank": "Thứ tự giai đoạn (0–6)",
    "complaint_open": "Đang có khiếu nại",
    "enforced": "Đã cưỡng chế",
    "compulsory_inventory": "Kiểm đếm bắt buộc",
    "days_in_stage": "Số ngày ở giai đoạn",
    "at_risk": "Có rủi ro",
    "next_action": "Việc tiếp theo",
    "next_deadline": "Hạn việc tiếp theo",
    "days_overdue": "Số ngày quá hạn",
    "as_of": "Số liệu tính đến ngày",
}


#: Headers of the province roll-up (``milestones.rollup.unit_rollup``: column code → header).
ROLLUP_HEADERS_VI: dict[str, str] = {
    "unit_name": "Đơn vị",
    "unit": "Mã đơn vị",
    "projects": "Số dự án",
    "area_to_recover_ha": "Diện tích thu hồi (ha)",
    "area_handed_over_ha": "Đã bàn giao (ha)",
    "percent_handed_over": "Tỷ lệ GPMB",
    "milestones_met": "Mốc đã đạt",
    "milestones_at_risk": "Mốc có nguy cơ / chậm",
}

#: The roll-up's total row label.
ROLLUP_TOTAL_VI = "Toàn tỉnh"

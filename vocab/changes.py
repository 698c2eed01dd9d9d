"""Vietnamese words of a change set (what an import would add, change, remove: issue 10)."""
from __future__ import annotations

#: Counts of :meth:`cadastre.change_set.ChangeSet.counts`, in the order shown.
CHANGE_COUNT_LABELS_VI: dict[str, str] = {
    "added": "Thêm mới",
    "changed": "Thay đổi",
    "removed": "Bị xóa",
    "unchanged": "Giữ nguyên",
    "orphaned_events": "Sự kiện mất thửa (vẫn giữ trong sổ)",
}

#: Fields a change names (``FeatureChange.fields``).
CHANGE_FIELD_LABELS_VI: dict[str, str] = {
    "geometry": "hình thửa",
    "area_to_recover_m2": "diện tích thu hồi",
    "parcel_area_m2": "diện tích thửa",
    "project_id": "dự án",
    "commune_code": "mã xã",
    "commune": "xã (2025)",
    "commune_former": "xã (đơn vị cũ)",
    "map_sheet": "số tờ",
    "parcel_number": "số thửa",
    "land_use": "loại đất",
    "owner_name": "chủ sử dụng",
    "household_id": "mã hộ",
    "chainage_m": "lý trình",
    "declared_area_m2": "diện tích hồ sơ",
    "chainage_start_m": "lý trình điểm đầu",
}

#: Layers a change set is about.
CHANGE_LAYER_LABELS_VI: dict[str, str] = {
    "parcels": "thửa đất",
    "projects": "chỉ giới dự án",
    "centrelines": "tim tuyến",
}


#: Unit of the figure a change set shows per feature (``area_m2``): lengths for centrelines.
CHANGE_MEASURE_UNITS: dict[str, str] = {"centrelines": "m"}


def measure_unit(layer: str) -> str:
    """``m²`` (areas) or ``m`` (centreline lengths) for the figures of ``layer``'s change set."""
    return CHANGE_MEASURE_UNITS.get(layer, "m²")


def field_label(name: str) -> str:
    """The Vietnamese name of a changed field (the code itself when unknown)."""
    return CHANGE_FIELD_LABELS_VI.get(name, name)


def layer_label(name: str) -> str:
    """The Vietnamese name of a layer (the code itself when unknown)."""
    return CHANGE_LAYER_LABELS_VI.get(name, name)


def removal_confirmation_label(count: int) -> str:
    """The text a user types to confirm removals, and the prompt naming the count (import page)."""
    return f"Nhập {count} để xác nhận xóa {count} thửa"

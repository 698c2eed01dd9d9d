"""Plain-text Vietnamese summary of an import report (CLI output; the dashboard shows the same dict as tables)."""
from __future__ import annotations

import copy

from vocab.format import fmt_m2

COUNT_LABELS_VI = {
    "read": "Số đối tượng đọc được",
    "imported": "Số thửa nhập",
    "repaired": "Số hình đã sửa (make_valid)",
    "duplicates": "Số thửa trùng khóa (bị loại, không gộp)",
    "rejected": "Số dòng bị loại",
    "slivers": "Số mảnh vụn dưới ngưỡng (bỏ qua)",
    "outside_boundary": "Số thửa ngoài chỉ giới (bỏ qua)",
}


def format_import_report(report: dict, *, max_items: int = 10) -> str:
    """Summarise a parcel import report (see :func:`cadastre.importer.prepare_parcels`) as Vietnamese text."""
    lines = [f"Dự án: {report.get('project_id')}"]
    lines += [f"Hệ tọa độ {crs['file']} [{crs['layer']}]: EPSG:{crs['epsg']} – {crs['reason']}"
              for crs in report.get("crs", [])]
    profile = report.get("profile")
    lines.append(f"Hồ sơ nguồn: «{profile['name']}» phiên bản {profile['version']} ({profile['created_by']}, "
                 f"{profile['created_at']})" if profile else "Hồ sơ nguồn: không dùng (chỉ ánh xạ tự động và --map)")
    counts = report.get("counts", {})
    for key, label in COUNT_LABELS_VI.items():
        if key in counts:
            lines.append(f"{label}: {counts[key]}")
    if "area_to_recover_m2" in counts:
        lines.append(f"Tổng diện tích thu hồi: {fmt_m2(counts['area_to_recover_m2'], 1)}")
    for enc in report.get("encodings", []):
        lines.append(f"Chuyển mã cột {enc['column']} ({enc['file']}): {enc['encoding_label']} → Unicode")
        lines += [f"    “{sample['before']}” → “{sample['after']}”" for sample in enc["samples"][:3]]
    lu = report.get("land_use") or {}
    if lu:
        lines.append(f"Mã loại đất ghép (vd. ODT+BHK): {lu.get('compound', 0)}; mã trống: {lu.get('blank', 0)}"
                     + (f"; mã lạ: {', '.join(lu['unknown_codes'])}" if lu.get("unknown_codes") else ""))
    for title, key in (("Cảnh báo", "warnings"),):
        items = report.get(key) or []
        if items:
            lines.append(f"{title}:")
            lines += [f"  - {w}" for w in items[:max_items]]
    for rep in report.get("repairs", [])[:max_items]:
        lines.append(f"Đã sửa hình {rep['row']}: {rep['reason']} (diện tích {rep['area_before_m2']} → {rep['area_after_m2']} m²)")
    for dup in report.get("duplicates", [])[:max_items]:
        where = "; ".join(f"X={loc['x_northing']} Y={loc['y_easting']}" for loc in dup["locations"])
        key = dup["key"]
        lines.append(f"Trùng khóa {key['commune_former']} tờ {key['map_sheet']} thửa {key['parcel_number']}: "
                     f"{', '.join(dup['rows'])} tại {where}")
    rejected = report.get("rejected") or []
    if rejected:
        lines.append("Dòng bị loại:")
        lines += [f"  - {r['row']}: {r['reason']}" for r in rejected[:max_items]]
        if len(rejected) > max_items:
            lines.append(f"  … và {len(rejected) - max_items} dòng khác (xem --json)")
    return "\n".join(lines)


def stored_report(report: dict) -> dict:
    """The import report as ``layer_versions.report`` should keep it: no personal data (issue 9).

    The before/after ``samples`` of converted text columns are values read from the file – often the
    owner-name column (``TenChu``) or a CAD label holding the owner – so they are dropped; the
    column, its encoding and the rest of the report stay. The parcels layer itself holds the names
    (``owner_name``): the stored report keeps none beyond that. Returns a new dict; ``report`` is unchanged.
    """
    kept = copy.deepcopy(report)
    for conversion in kept.get("encodings", []):
        conversion["samples"] = []
    return kept

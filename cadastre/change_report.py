"""Plain-text Vietnamese summary of a change set (CLI); the dashboard shows the same dict as tables.

Input is :meth:`cadastre.change_set.ChangeSet.to_dict`; words come from :mod:`vocab.changes`.
"""
from __future__ import annotations

from vocab.changes import CHANGE_COUNT_LABELS_VI, field_label, layer_label, measure_unit
from vocab.format import fmt_m2, fmt_number


def format_change_set(change_set: dict, *, max_items: int = 20) -> str:
    """Counts, then the removed, changed and added features (``max_items`` of each; ``--json`` has all)."""
    counts = change_set["counts"]
    key = change_set["key_column"]
    unit = measure_unit(change_set["layer"])

    def measure(value) -> str:
        return fmt_m2(value, 2) if unit == "m²" else f"{fmt_number(value, 2)} {unit}"

    lines = [f"Thay đổi {layer_label(change_set['layer'])} nếu ghi:"]
    lines += [f"  {label}: {counts[name]}" for name, label in CHANGE_COUNT_LABELS_VI.items() if name in counts]
    if counts.get("removed"):
        lines.append(f"  Diện tích thu hồi của các thửa bị xóa: {fmt_m2(counts['removed_area_m2'], 1)}")
    for title, name in (("Bị xóa", "removed"), ("Thay đổi", "changed"), ("Thêm mới", "added")):
        items = change_set.get(name) or []
        if not items:
            continue
        lines.append(f"{title} ({len(items)}):")
        for item in items[:max_items]:
            text = f"  - {item[key]}: {measure(item['area_m2'])}"
            if item.get("fields"):
                text += f" (trước {measure(item['area_before_m2'])}; thay đổi: "
                text += ", ".join(field_label(f) for f in item["fields"]) + ")"
            lines.append(text)
        if len(items) > max_items:
            lines.append(f"  … và {len(items) - max_items} mục khác (xem --json)")
    if change_set.get("orphaned_events"):
        lines.append(f"Sự kiện trong sổ sẽ mất thửa (vẫn giữ nguyên trong sổ): {len(change_set['orphaned_events'])}")
    return "\n".join(lines)

"""Vietnamese display formatting shared by the dashboard, the map and the exports (no Streamlit here).

Conventions (TCVN usage, as in district reports): thousands separated by ``.``, decimals by ``,``
(``1.234,5``); dates ``dd/mm/yyyy``; areas in m² or ha (1 ha = 10 000 m²); money in đồng (``đ``).
Missing values (``None``, ``NaN``, ``NaT``) are shown as :data:`MISSING`.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd

#: Text shown for a missing value.
MISSING = "—"

#: Milestone status codes (computed by ``milestones.status``) → Vietnamese label.
MILESTONE_STATUS_LABELS_VI: dict[str, str] = {
    "met": "Đạt",
    "missed": "Không đạt",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ chậm",
    "behind": "Chậm tiến độ",
}

#: Milestone status → (background, text) colours: green = fine, amber = watch, red = act.
MILESTONE_STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "met": ("#c8e6c9", "#1b5e20"),
    "on_track": ("#e3f2fd", "#0d47a1"),
    "at_risk": ("#ffe0b2", "#e65100"),
    "behind": ("#ffcdd2", "#b71c1c"),
    "missed": ("#b71c1c", "#ffffff"),
}

#: Milestone metric codes → Vietnamese label.
METRIC_LABELS_VI: dict[str, str] = {
    "percent_area_handed_over": "% diện tích đã bàn giao",
    "percent_households_paid": "% số hộ đã chi trả",
}

#: Land-use codes (Circular 08/2024/TT-BTNMT, Annex; same codes as Circular 25/2014) → Vietnamese name.
LAND_USE_LABELS_VI: dict[str, str] = {
    "LUC": "Đất chuyên trồng lúa",
    "LUK": "Đất trồng lúa còn lại",
    "BHK": "Đất bằng trồng cây hằng năm khác",
    "NHK": "Đất nương rẫy trồng cây hằng năm khác",
    "CLN": "Đất trồng cây lâu năm",
    "RSX": "Đất rừng sản xuất",
    "RPH": "Đất rừng phòng hộ",
    "NTS": "Đất nuôi trồng thủy sản",
    "ONT": "Đất ở tại nông thôn",
    "ODT": "Đất ở tại đô thị",
    "DGT": "Đất giao thông",
    "DTL": "Đất thủy lợi",
    "NTD": "Đất nghĩa trang, nghĩa địa",
    "SKC": "Đất cơ sở sản xuất phi nông nghiệp",
    "TMD": "Đất thương mại, dịch vụ",
    "DCS": "Đất bằng chưa sử dụng",
}


def is_missing(value: Any) -> bool:
    """True for ``None``, float NaN, ``pd.NA`` and ``pd.NaT``."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays: not a scalar missing value
        return False


def fmt_number(value: Any, decimals: int = 0) -> str:
    """Format a number with Vietnamese separators: ``1234567.891`` → ``"1.234.567,89"`` (decimals=2).

    Parameters
    ----------
    value : int, float, numpy number or None
        The number; missing values give :data:`MISSING`.
    decimals : int, default 0
        Digits after the decimal comma (rounded half to even, as Python's ``format``).

    Raises
    ------
    ValueError
        If ``decimals`` is negative.
    """
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    if is_missing(value):
        return MISSING
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    if round(number, decimals) == 0:
        number = 0.0  # no "-0,0"
    text = f"{number:,.{decimals}f}"  # 1,234,567.89
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def fmt_m2(area_m2: Any, decimals: int = 0) -> str:
    """Area in square metres: ``12345.6`` → ``"12.346 m²"``."""
    text = fmt_number(area_m2, decimals)
    return text if text == MISSING else f"{text} m²"


def fmt_ha(area_m2: Any, decimals: int = 2) -> str:
    """Area given in **square metres**, shown in hectares: ``123456`` → ``"12,35 ha"`` (1 ha = 10 000 m²)."""
    if is_missing(area_m2):
        return MISSING
    return f"{fmt_number(float(area_m2) / 10_000.0, decimals)} ha"


def fmt_pct(percent: Any, decimals: int = 1) -> str:
    """A percentage already in 0–100: ``70`` → ``"70,0%"``."""
    text = fmt_number(percent, decimals)
    return text if text == MISSING else f"{text}%"


def fmt_vnd(amount_vnd: Any) -> str:
    """An amount in đồng, no decimals: ``1234567000`` → ``"1.234.567.000 đ"``."""
    text = fmt_number(amount_vnd, 0)
    return text if text == MISSING else f"{text} đ"


def fmt_date(value: Any) -> str:
    """A date as ``dd/mm/yyyy``.

    Accepts ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp`` and ISO strings
    (``"2024-06-30"``); strings already in ``dd/mm/yyyy`` are returned unchanged.

    Raises
    ------
    ValueError
        If a string is neither ISO nor ``dd/mm/yyyy``.
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.strptime(text, "%d/%m/%Y").strftime("%d/%m/%Y")
        except ValueError:
            pass
        try:
            return date.fromisoformat(text[:10]).strftime("%d/%m/%Y")
        except ValueError:
            raise ValueError(f"Ngày không hợp lệ: {value!r}; cần dạng dd/mm/yyyy hoặc yyyy-mm-dd") from None
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.strftime("%d/%m/%Y")
    raise ValueError(f"Ngày không hợp lệ: {value!r}; cần một ngày (date)")


def status_label(status: Any) -> str:
    """Vietnamese label of a milestone status code (unknown codes are returned as given)."""
    if is_missing(status):
        return MISSING
    return MILESTONE_STATUS_LABELS_VI.get(str(status), str(status))


def land_use_label(code: Any) -> str:
    """``"LUC"`` → ``"LUC – Đất chuyên trồng lúa"``; unknown codes are returned as given."""
    if is_missing(code):
        return MISSING
    name = LAND_USE_LABELS_VI.get(str(code))
    return f"{code} – {name}" if name else str(code)


#: Parcel risk-flag codes (computed by ``milestones.risk``) → Vietnamese label. ``stuck_<stage>`` is
#: built by :func:`risk_flag_label` from the stage label.
RISK_FLAG_LABELS_VI: dict[str, str] = {
    "milestone_at_risk": "Dự án có mốc chậm hoặc có nguy cơ chậm",
    "complaint_open": "Khiếu nại chưa giải quyết",
    "complaint": "Khiếu nại chưa giải quyết",
    "enforced": "Cưỡng chế thu hồi đất",
    "compulsory_inventory": "Kiểm đếm bắt buộc",
}


def risk_flag_label(code: Any) -> str:
    """Vietnamese label of a risk flag: ``"stuck_inventory"`` → ``"Tồn đọng ở bước Kiểm đếm quá thời hạn"``."""
    from domain.stages import STAGE_LABELS_VI

    code = str(code)
    if code in RISK_FLAG_LABELS_VI:
        return RISK_FLAG_LABELS_VI[code]
    if code.startswith("stuck_"):
        stage = code[len("stuck_"):]
        return f"Tồn đọng ở bước {STAGE_LABELS_VI.get(stage, stage)} quá thời hạn"
    return code


def risk_flags_text(flags: Any, sep: str = "; ") -> str:
    """Labels of a list of risk-flag codes joined by ``sep`` (empty string when there is none)."""
    if flags is None or isinstance(flags, float):
        return ""
    if isinstance(flags, str):
        flags = [f for f in flags.replace(",", ";").split(";") if f.strip()]
    return sep.join(risk_flag_label(f.strip() if isinstance(f, str) else f) for f in flags)

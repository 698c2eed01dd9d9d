"""Row validators of the people-side registers (pure: no store): households, plans, payments, letters, lots, areas.

Each ``validate_<register>(table)`` takes a DataFrame whose index is the Excel row number and whose
columns are the codes of :data:`REGISTERS` (or their Vietnamese headers), and returns ``(valid, problems)``:
``valid`` holds the rows without any problem, with parsed values (text stripped, ``date``, float VND/m²,
codes for choices); ``problems`` are :class:`ingest.report.RowProblem` naming row, column and expectation
in Vietnamese. A row with any problem is never valid.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from domain.people import DEFAULT_LOT_CLASS, NO_ENTITLEMENT
from ingest.parcel_tokens import parse_parcel_cell
from ingest.report import RowProblem
from parsing.dates import parse_date
from parsing.numbers import parse_number
from parsing.text import fold_key, is_blank
from vocab.people import PEOPLE_TABLES, code_for_label


@dataclass(frozen=True)
class Field:
    """One column of a register: its code, Vietnamese header, parser (raises ValueError) and whether required."""

    column: str
    header_vi: str
    parse: Callable[[Any], Any]
    required: bool = True
    default: Any = None        # the value of a blank optional cell
    choices: str | None = None  # the ``vocab.people.PEOPLE_TABLES`` table of a drop-down column


_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/\-]*")
_PHONE = re.compile(r"(?:0|\+84)\d{9}")


def _text(value: Any) -> str:
    return " ".join(str(value).split())


def _code(value: Any) -> str:
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    if not _CODE.fullmatch(text):
        raise ValueError("cần mã gồm chữ, số và . _ / - (không dấu cách), ví dụ HD-0012")
    return text


def _id_number(value: Any) -> str:
    text = re.sub(r"[\s.]", "", str(int(value)) if isinstance(value, float) and value.is_integer() else str(value))
    if not re.fullmatch(r"\d{12}", text):
        raise ValueError("số CCCD phải gồm đúng 12 chữ số")
    return text


def _phone(value: Any) -> str:
    text = re.sub(r"[\s.\-()]", "", str(value))
    if isinstance(value, float) and value.is_integer():  # Excel drops the leading 0 of 0912…
        text = f"0{int(value)}"
    if not _PHONE.fullmatch(text):
        raise ValueError("số điện thoại cần 10 chữ số bắt đầu bằng 0 (hoặc +84 và 9 chữ số)")
    return text


def _amount(value: Any) -> float:
    number = parse_number(value)
    if number < 0:
        raise ValueError("số tiền (đồng) không được âm")
    return number


def _positive(value: Any) -> float:
    number = parse_number(value)
    if number <= 0:
        raise ValueError("cần một số lớn hơn 0")
    return number


def _choice(table: str) -> Callable[[Any], str]:
    lookup = {fold_key(k): code for k, code in code_for_label(table).items()}
    words = ", ".join(f"«{w}»" for w in PEOPLE_TABLES[table][1].values())

    def parse(value: Any) -> str:
        code = lookup.get(fold_key(value))
        if code is None:
            raise ValueError(f"cần một trong: {words}")
        return code
    return parse


def _pick(column: str, header_vi: str, table: str) -> Field:
    """A required column whose cells are a code or a Vietnamese word of ``table``."""
    return Field(column, header_vi, _choice(table), choices=table)


def _entitlement(value: Any) -> str:
    folded = fold_key(value)
    if folded in ("", "none", "khong", "khongco"):
        return NO_ENTITLEMENT
    return _code(value)


def _flag(value: Any) -> bool:
    folded = fold_key(value)
    if folded in ("1", "x", "co", "yes", "true", "dung"):
        return True
    if folded in ("0", "khong", "no", "false", "sai"):
        return False
    raise ValueError("cần «Có» hoặc «Không» (hoặc x / để trống)")


def _round(value: Any) -> int:
    number = parse_number(value)
    if number not in (1, 2):
        raise ValueError("lần giải quyết là 1 hoặc 2")
    return int(number)


def _parcels(value: Any) -> tuple[str, ...]:
    return tuple(parse_parcel_cell(value))


def _percent(value: Any) -> float:
    number = parse_number(str(value).strip().removesuffix("%") if isinstance(value, str) else value)
    if not 0 <= number <= 100:
        raise ValueError("tiến độ xây dựng là phần trăm từ 0 đến 100")
    return number


def _wkt_text(value: Any) -> str:
    """The WKT as typed (whitespace collapsed); parsed, checked and reprojected by :mod:`ingest.area_rows`."""
    return " ".join(str(value).split())


REGISTERS: dict[str, tuple[Field, ...]] = {
    "households": (
        Field("household_id", "Mã hộ", _code), Field("name", "Tên chủ hộ", _text),
        Field("id_number", "Số CCCD", _id_number, False), Field("phone", "Số điện thoại", _phone, False),
        Field("address", "Địa chỉ", _text, False), Field("commune", "Xã/phường", _text),
    ),
    "plans": (
        Field("household_id", "Mã hộ", _code), Field("project_id", "Mã dự án", _code),
        Field("compensation_vnd", "Bồi thường (đồng)", _amount), Field("support_vnd", "Hỗ trợ (đồng)", _amount),
        Field("resettlement_vnd", "Tái định cư (đồng)", _amount),
        Field("decision_number", "Số quyết định", _text), Field("decision_date", "Ngày quyết định", parse_date),
        Field("effective_date", "Ngày có hiệu lực", parse_date),
        Field("resettlement_entitlement", "Tiêu chuẩn tái định cư", _entitlement, False, NO_ENTITLEMENT),
    ),
    "payments": (
        Field("household_id", "Mã hộ", _code), Field("project_id", "Mã dự án", _code),
        Field("payment_date", "Ngày chi trả", parse_date), Field("amount_vnd", "Số tiền (đồng)", _positive),
        _pick("part", "Khoản", "plan_part"), Field("receipt_number", "Số phiếu chi", _text),
    ),
    "refusals": (
        Field("household_id", "Mã hộ", _code), Field("project_id", "Mã dự án", _code),
        _pick("step", "Bước", "payment_refusal"), Field("step_date", "Ngày", parse_date),
        Field("document_number", "Số văn bản", _text, False),
    ),
    "transfers": (
        Field("project_id", "Mã dự án", _code), Field("transfer_date", "Ngày chuyển", parse_date),
        Field("amount_vnd", "Số tiền (đồng)", _positive), Field("document_number", "Số chứng từ", _text),
    ),
    "complaints": (
        Field("letter_id", "Số đơn", _code), Field("received_date", "Ngày nhận", parse_date),
        _pick("channel", "Hình thức nhận", "complaint_channel"),
        Field("household_id", "Hộ gửi đơn", _code, False), Field("parcels", "Thửa liên quan", _parcels, False, ()),
        _pick("kind", "Loại đơn", "complaint_kind"), _pick("subject", "Nội dung", "complaint_subject"),
        _pick("body", "Cơ quan có thẩm quyền", "competent_body"),
        Field("accepted_date", "Ngày thụ lý", parse_date, False),
        _pick("status", "Trạng thái", "complaint_status"), Field("outcome", "Kết quả", _text, False),
        Field("published_date", "Ngày công khai kết quả", parse_date, False),
        Field("closed_date", "Ngày kết thúc", parse_date, False),
        Field("round", "Lần giải quyết", _round, False, 1),
        Field("complicated", "Vụ việc phức tạp", _flag, False, False),
        Field("remote_area", "Vùng sâu, vùng xa", _flag, False, False),
        Field("commune", "Xã/phường", _text, False),
    ),
    "lots": (
        Field("area_id", "Khu tái định cư", _code), Field("lot_number", "Số lô", _code),
        Field("lot_class", "Loại lô", _code, False, DEFAULT_LOT_CLASS),
        Field("area_m2", "Diện tích (m²)", _positive), Field("price_vnd", "Giá đất (đồng)", _amount),
        _pick("status", "Trạng thái", "lot_status"),
    ),
    # khu tái định cư: its polygon as WKT (a CSV/XLSX) or the geometry of a GeoJSON / GeoPackage / shapefile
    # feature (read by cadastre.resettlement_areas into this column); the project defaults to --project
    "areas": (
        Field("area_id", "Mã khu", _code), Field("project_id", "Mã dự án", _code, False),
        Field("name", "Tên khu", _text),
        Field("planned_completion_date", "Ngày hoàn thành theo kế hoạch", parse_date, False),
        Field("actual_completion_date", "Ngày hoàn thành thực tế", parse_date, False),
        Field("construction_percent", "Tiến độ xây dựng (%)", _percent),
        Field("geometry_wkt", "Ranh giới khu (WKT)", _wkt_text),
    ),
}

#: Checks across the columns of one parsed row: (columns it names, test, Vietnamese expectation).
_ORDER_CHECKS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "plans": (("decision_date", "effective_date", "ngày có hiệu lực không được trước ngày quyết định"),),
    "complaints": (("received_date", "accepted_date", "ngày thụ lý không được trước ngày nhận đơn"),
                   ("accepted_date", "published_date", "ngày công khai kết quả không được trước ngày thụ lý"),
                   ("received_date", "closed_date", "ngày kết thúc không được trước ngày nhận đơn")),
}


def _columns_by_code(table: pd.DataFrame, fields: tuple[Field, ...]) -> pd.DataFrame:
    names = {fold_key(f.header_vi): f.column for f in fields} | {fold_key(f.column): f.column for f in fields}
    return table.rename(columns={c: names.get(fold_key(c), c) for c in table.columns})


def validate_register(register: str, table: pd.DataFrame) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Validate ``table`` as ``register`` (a key of :data:`REGISTERS`); see the module docstring.

    Raises
    ------
    KeyError
        ``register`` is not a key of :data:`REGISTERS` (a programming error).
    """
    fields = REGISTERS[register]
    table = _columns_by_code(table, fields)
    problems: list[RowProblem] = []
    missing = [f.header_vi for f in fields if f.required and f.column not in table.columns]
    if missing:
        return pd.DataFrame(columns=[f.column for f in fields]), [
            RowProblem(0, name, "thiếu cột bắt buộc của bảng") for name in missing]
    records, valid_rows = [], []
    for row, cells in table.iterrows():
        parsed, row_problems = _parse_row(int(row), cells, fields)
        row_problems += _order_problems(register, int(row), parsed, fields)
        problems += row_problems
        if not row_problems:
            records.append(parsed)
            valid_rows.append(row)
    valid = pd.DataFrame(records, index=pd.Index(valid_rows, name="row"), columns=[f.column for f in fields])
    return valid, problems


def _parse_row(row: int, cells: pd.Series, fields: tuple[Field, ...]) -> tuple[dict[str, Any], list[RowProblem]]:
    parsed: dict[str, Any] = {}
    problems: list[RowProblem] = []
    for f in fields:
        value = cells.get(f.column)
        if is_blank(value):
            parsed[f.column] = f.default
            if f.required:
                problems.append(RowProblem(row, f.header_vi, "ô bắt buộc đang trống"))
            continue
        try:
            parsed[f.column] = f.parse(value)
        except ValueError as exc:
            problems.append(RowProblem(row, f.header_vi, str(exc), str(value)))
    return parsed, problems


def _order_problems(register: str, row: int, parsed: dict[str, Any], fields: tuple[Field, ...]) -> list[RowProblem]:
    headers = {f.column: f.header_vi for f in fields}
    return [RowProblem(row, headers[later], message) for earlier, later, message in _ORDER_CHECKS.get(register, ())
            if parsed.get(earlier) is not None and parsed.get(later) is not None and parsed[later] < parsed[earlier]]


def validate_households(table: pd.DataFrame) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Households: ``household_id``, ``name``, ``id_number`` (CCCD, 12 digits), ``phone``, ``address``, ``commune``."""
    return validate_register("households", table)


def validate_plans(table: pd.DataFrame) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Plans: household, project, the three parts in VND (≥ 0), decision number, date and effective date
    (not before the decision), resettlement entitlement (a lot class, or ``none``)."""
    return validate_register("plans", table)


def validate_payments(table: pd.DataFrame) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Payments: household, project, date, amount in VND (> 0), part (code or Vietnamese word), receipt number."""
    return validate_register("payments", table)


def validate_refusals(table: pd.DataFrame) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Refusals of the money (Land Law 2024 art. 94(5)): household, project, step (mời nhận tiền lần 1/2/3 or
    gửi tiền vào tài khoản tạm giữ; code or Vietnamese word), its date, the invitation's or deposit's number."""
    return validate_register("refusals", table)


def validate_transfers(table: pd.DataFrame) -> tuple[pd.DataFrame, list[RowProblem]]:
    """The investor's fund transfers: project, date, amount in VND (> 0), document number (the key)."""
    return validate_register("transfers", table)


def validate_complaints(table: pd.DataFrame) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Letters: number, received date, channel, sender household, parcels (text keys), kind, subject, body,
    accepted date (not before receipt), status, outcome, result published date (not before acceptance);
    optional: closed date (the status became resolved / withdrawn / escalated), round (1, 2), complicated and
    remote-area flags (Law on Complaints 2011 arts. 28, 37: longer limits), commune."""
    return validate_register("complaints", table)


def validate_areas(table: pd.DataFrame) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Resettlement areas: area code, project (blank = the import's), name, planned and actual completion dates
    (optional; an area without a planned date has no delay), construction progress in % (0–100), the boundary as WKT text (its geometry
    checks and CRS: :func:`ingest.area_rows.area_geometries`)."""
    return validate_register("areas", table)


def validate_lots(table: pd.DataFrame) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Lots: resettlement area, lot number, lot class (the entitlement class it serves; blank =
    :data:`domain.people.DEFAULT_LOT_CLASS`), area in m² (> 0), land price in VND (≥ 0), status."""
    return validate_register("lots", table)

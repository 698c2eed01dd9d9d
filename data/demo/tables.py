"""The clerk-editable tables: milestones (``milestones.csv``) and rules (``rules.yaml``)."""
from __future__ import annotations

import pandas as pd

from domain.tables import MILESTONE_COLUMNS  # the one contract of milestones.csv

#: Milestones of the 2024 plan of Cao Lộc district; the Hợp Thành cluster dates are assumptions
#: (the province's approved schedule is not public): edit them in ``milestones.csv``.
MILESTONES = (
    ("CT_HNCL-70", "CT_HNCL", "30/06/2024", "percent_area_handed_over", 70, "project",
     "Cao tốc Hữu Nghị – Chi Lăng: bàn giao 70% diện tích trước 30/6/2024 (KH 2024)"),
    ("CT_HNCL-100", "CT_HNCL", "31/12/2024", "percent_area_handed_over", 100, "project",
     "Cao tốc Hữu Nghị – Chi Lăng: bàn giao 100% diện tích trước 31/12/2024 (KH 2024)"),
    ("CT_HNCL-HO-CHITRA-75", "CT_HNCL", "30/06/2024", "percent_households_paid", 75, "project",
     "Cao tốc Hữu Nghị – Chi Lăng: 75% số hộ nhận tiền bồi thường trước 30/6/2024 (mốc nội bộ, giả định)"),
    ("CT_HNCL-DONGDANG-100", "CT_HNCL", "31/12/2024", "percent_area_handed_over", 100, "Xã Đồng Đăng",
     "Cao tốc – địa bàn xã Đồng Đăng (TT Đồng Đăng, xã Bảo Lâm cũ): bàn giao 100% trước 31/12/2024"),
    ("QL4B-100", "QL4B", "31/03/2024", "percent_area_handed_over", 100, "project",
     "QL4B Km3+700 – Km18: bàn giao 100% diện tích trước 31/3/2024 (KH 2024)"),
    ("CCN_HT1-50", "CCN_HT1", "30/06/2024", "percent_area_handed_over", 50, "project",
     "CCN Hợp Thành 1: bàn giao 50% trước 30/6/2024 (mốc giả định theo tiến độ tỉnh duyệt, sửa được)"),
    ("CCN_HT1-100", "CCN_HT1", "30/11/2024", "percent_area_handed_over", 100, "project",
     "CCN Hợp Thành 1: bàn giao 100% trước 30/11/2024 (mốc giả định, sửa được)"),
    ("CCN_HT2-50", "CCN_HT2", "30/09/2024", "percent_area_handed_over", 50, "project",
     "CCN Hợp Thành 2: bàn giao 50% trước 30/9/2024 (mốc giả định, sửa được)"),
    ("CCN_HT2-100", "CCN_HT2", "31/03/2025", "percent_area_handed_over", 100, "project",
     "CCN Hợp Thành 2: bàn giao 100% trước 31/3/2025 (mốc giả định, sửa được)"),
    ("CA_XA-100", "CA_XA", "31/12/2024", "percent_area_handed_over", 100, "project",
     "Trụ sở công an xã: bàn giao 100% mặt bằng trong năm 2024 (KH 2024)"),
)


def milestones_table() -> pd.DataFrame:
    """Milestones as written to ``milestones.csv`` (``due_date`` text dd/mm/yyyy, ``target_percent`` 0–100)."""
    return pd.DataFrame(MILESTONES, columns=list(MILESTONE_COLUMNS))


RULES_YAML = """\
# Quy tắc tính toán của GPMB Tracker (sửa được). Đơn vị: ngày.
# Rules of the computations (editable). Durations in days.

# Cửa sổ tính tốc độ bàn giao gần đây để dự báo ngày đạt mốc.
# Window of the recent clearance rate used for the forecast (product choice).
forecast_window_days: 60

# Số ngày tối đa một thửa được nằm ở một giai đoạn trước khi bị gắn cờ "chậm" (stuck_<giai đoạn>).
# "Stuck in stage" limits: days a parcel may stay in a stage before it is flagged.
stage_limits_days:
  # Thông báo thu hồi đất phải trước khi thu hồi ít nhất 90 ngày (đất nông nghiệp) / 180 ngày
  # (đất phi nông nghiệp): Luật Đất đai 2024 điều 85 khoản 1 (Luật Đất đai 2013 điều 67 khoản 1).
  notice:
    agricultural: 90
    non_agricultural: 180
  # Điều tra, kiểm đếm: luật không quy định thời hạn; mặc định của sản phẩm.
  inventory: 60
  # Niêm yết công khai phương án BT, HT & TĐC 30 ngày rồi đối thoại: Luật Đất đai 2024 điều 87.
  plan_posted: 30
  # Chi trả trong 30 ngày kể từ ngày quyết định phê duyệt có hiệu lực: Luật Đất đai 2024 điều 94
  # khoản 1 (Luật Đất đai 2013 điều 93 khoản 1).
  approved: 30
  # Bàn giao sau khi nhận tiền: luật không quy định thời hạn; mặc định của sản phẩm.
  paid: 30

# Chi trả tiền bồi thường, hỗ trợ, tái định cư trong 30 ngày kể từ ngày quyết định phê duyệt phương án
# có hiệu lực: Luật Đất đai 2024 điều 94 khoản 1. Gửi tiền vào tài khoản tạm giữ tại Kho bạc (khoản 5)
# dừng việc tính chậm chi trả.
# Payment deadline: 30 days after the approval decision takes effect (Land Law 2024 art. 94(1)).
payments:
  deadline_days: 30

# Thời hạn giải quyết đơn thư (ngày, tính theo ngày dương lịch; sản phẩm chưa trừ ngày nghỉ).
# Time limits for letters (calendar days). normal | complicated (vụ việc phức tạp) |
# remote (vùng sâu, vùng xa đi lại khó khăn) | remote_complicated.
complaints:
  complaint:                     # khiếu nại: Luật Khiếu nại 2011
    acceptance_days: 10          # điều 27: thụ lý trong 10 ngày kể từ ngày nhận đơn
    round_1:                     # điều 28: giải quyết lần đầu, kể từ ngày thụ lý
      normal: 30
      complicated: 45
      remote: 45
      remote_complicated: 60
    round_2:                     # điều 37: giải quyết lần hai, kể từ ngày thụ lý
      normal: 45
      complicated: 60
      remote: 60
      remote_complicated: 70
    escalation_days:             # điều 33 khoản 1: khiếu nại lần hai trong 30 ngày (45 ngày vùng sâu, vùng xa)
      normal: 30                 # kể từ khi hết thời hạn giải quyết hoặc nhận quyết định lần đầu
      remote: 45
  denunciation:                  # tố cáo: Luật Tố cáo 2018 điều 30 khoản 1
    round_1:                     # 30 ngày kể từ ngày thụ lý; phức tạp gia hạn một lần 30 ngày
      normal: 30
      complicated: 60
      remote: 30
      remote_complicated: 60
  # kiến nghị, phản ánh: luật không quy định thời hạn giải quyết; thêm một mục "petition:" hoặc
  # "feedback:" như trên nếu địa phương có quy định.
"""

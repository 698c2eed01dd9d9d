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
    ("CA_XA-100", "CA_XA", "31/12/2024", "percent_sites_handed_over", 100, "project",
     ("Trụ sở công an xã: bàn giao 100% số trụ sở trong năm 2024 (KH 2024: giải phóng mặt bằng 100% các "
      "trụ sở công an xã còn lại)")),
)


def milestones_table() -> pd.DataFrame:
    """Milestones as written to ``milestones.csv`` (``due_date`` text dd/mm/yyyy, ``target_percent`` 0–100)."""
    return pd.DataFrame(MILESTONES, columns=list(MILESTONE_COLUMNS))


RULES_YAML = """# Quy tắc tính toán của GPMB Tracker (sửa được). Đơn vị: ngày.
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

# Đồng hồ pháp lý của từng bước (milestones.clocks). Ngày đầu không tính (Bộ luật Dân sự 2015 điều 147);
# hạn chót rơi vào ngày nghỉ thì lùi sang ngày làm việc tiếp theo (điều 148).
# Legal clocks per step: starts_at (stage or complaint) or after (another clock), days, day_type
# (calendar | working), kind (deadline | earliest), paused_by (complaint), article.
legal_clocks:
  # Thông báo thu hồi đất trước khi ra quyết định thu hồi ít nhất 90 ngày (đất nông nghiệp) / 180 ngày
  # (đất phi nông nghiệp).
  notice_period:
    starts_at: notice
    days: {agricultural: 90, non_agricultural: 180}
    day_type: calendar
    kind: earliest
    article: "Luật Đất đai 2024 điều 85 khoản 1"
  # Điều tra, kiểm đếm: luật không quy định thời hạn; tạm dừng khi có khiếu nại chưa giải quyết.
  inventory:
    starts_at: inventory
    days: 60
    day_type: calendar
    kind: deadline
    paused_by: [complaint]
    article: "Không quy định; mặc định của sản phẩm"
  # Niêm yết công khai phương án BT, HT & TĐC 30 ngày.
  plan_posting:
    starts_at: plan_posted
    days: 30
    day_type: calendar
    kind: earliest
    article: "Luật Đất đai 2024 điều 87"
  # Đối thoại sau niêm yết rồi trình phê duyệt: số ngày là mặc định của sản phẩm.
  dialogue:
    after: plan_posting
    days: 15
    day_type: calendar
    kind: deadline
    paused_by: [complaint]
    article: "Luật Đất đai 2024 điều 87; số ngày: mặc định của sản phẩm"
  # Chi trả trong 30 ngày kể từ ngày quyết định phê duyệt phương án có hiệu lực.
  payment:
    starts_at: approved
    days: 30
    day_type: calendar
    kind: deadline
    article: "Luật Đất đai 2024 điều 94 khoản 1"
  # Bàn giao mặt bằng sau khi nhận tiền: luật không quy định; mặc định của sản phẩm.
  handover:
    starts_at: paid
    days: 30
    day_type: calendar
    kind: deadline
    article: "Không quy định; mặc định của sản phẩm"
  # Thụ lý khiếu nại trong 10 ngày, giải quyết lần đầu trong 30 ngày kể từ ngày thụ lý (tính theo ngày
  # làm việc; sửa được).
  complaint_acceptance:
    starts_at: complaint
    days: 10
    day_type: working
    kind: deadline
    article: "Luật Khiếu nại 2011 điều 27"
  complaint_resolution:
    after: complaint_acceptance
    days: 30
    day_type: working
    kind: deadline
    article: "Luật Khiếu nại 2011 điều 28"

# Ngày nghỉ thêm ngoài lịch nghỉ lễ của gói holidays (VN), dạng dd/mm/yyyy (ví dụ ngày nghỉ bù do
# Chính phủ công bố).
extra_holidays: []

# Cơ quan chịu trách nhiệm từng việc (mặc định theo Kế hoạch 2024 của huyện Cao Lộc: TTPTQĐ chủ trì
# kiểm đếm, lập phương án, chi trả; Phòng TN&MT thẩm định, tham mưu quyết định thu hồi; UBND xã
# tiếp nhận, giải quyết đơn thư). Mã: ttptqd, ubnd_xa, phong_tnmt, ban_qlda, ubnd_huyen.
responsible:
  issue_notice: phong_tnmt
  conduct_inventory: ttptqd
  post_plan: ttptqd
  approve_plan: phong_tnmt
  pay_compensation: ttptqd
  hand_over_site: ttptqd
  resolve_complaint: ubnd_xa

# Số ngày một vướng mắc làm thửa đất chậm thêm khi xếp hạng nhóm thửa quyết định mốc (mặc định sản phẩm).
obstacle_delay_days:
  complaint_open: 45
  compulsory_inventory: 30
  enforced: 60
  payment_overdue: 30

# Số liệu kiểm đếm của một xã cũ hơn số ngày này thì cảnh báo "số liệu cũ".
stale_counts_days: 30

# Báo cáo quý gửi UBND huyện (qua Phòng Tài chính – Kế hoạch) trước ngày 20 của tháng cuối quý.
quarterly_report_day: 20

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

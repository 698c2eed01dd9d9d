"""Pseudonymous owner names for the illustrative parcels (no real person is meant).

Names are drawn from lists of common Vietnamese family, middle and given names, weighted towards the
family names frequent among the Tày and Nùng people of Lạng Sơn (Hoàng, Nông, Vi, Lương, Lộc …).
"""
from __future__ import annotations

import numpy as np

FAMILY_NAMES = (
    ("Hoàng", 14), ("Nông", 9), ("Vi", 7), ("Lương", 6), ("Nguyễn", 12), ("Lộc", 4), ("Hà", 4),
    ("Triệu", 3), ("Lăng", 3), ("Chu", 3), ("Mã", 2), ("Hứa", 2), ("Trần", 6), ("Lê", 5), ("Phạm", 3),
    ("Đinh", 2), ("Bế", 2), ("Lý", 3), ("Dương", 2),
)
MIDDLE_MALE = ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Thành", "Xuân", "Công", "Hữu")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng")
GIVEN_MALE = ("An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Hưng", "Khánh", "Long", "Mạnh", "Nam", "Phúc",
              "Quân", "Sơn", "Thắng", "Thanh", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Lâm", "Tiến", "Đạt")
GIVEN_FEMALE = ("Anh", "Chi", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Liên", "Linh", "Mai", "Nga",
                "Ngân", "Nhung", "Phương", "Thảo", "Thủy", "Trang", "Tuyết", "Yến", "Xuân", "Hiền")


def owner_name(rng: np.random.Generator) -> str:
    """A plausible full name (family + middle + given), male or female with equal chance."""
    families = [name for name, weight in FAMILY_NAMES if weight > 0]
    weights = np.array([weight for _name, weight in FAMILY_NAMES if weight > 0], dtype=float)
    family = families[rng.choice(len(families), p=weights / weights.sum())]
    if rng.random() < 0.5:
        middle, given = MIDDLE_MALE[rng.integers(len(MIDDLE_MALE))], GIVEN_MALE[rng.integers(len(GIVEN_MALE))]
    else:
        middle, given = MIDDLE_FEMALE[rng.integers(len(MIDDLE_FEMALE))], GIVEN_FEMALE[rng.integers(len(GIVEN_FEMALE))]
    return f"{family} {middle} {given}"

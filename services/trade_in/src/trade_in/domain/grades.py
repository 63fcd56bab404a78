"""Cosmetic grades from best to worst, the scale the catalog sells refurbished devices on."""

from __future__ import annotations

from typing import Literal, get_args

Grade = Literal["premium", "excellent", "very_good", "good", "fair"]
GRADES: tuple[Grade, ...] = get_args(Grade)
"""Best first: a grade's position is its rank."""


def is_worse(grade: Grade, than: Grade) -> bool:
    return GRADES.index(grade) > GRADES.index(than)

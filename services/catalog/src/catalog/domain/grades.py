"""Cosmetic grades, best first. Every refurbished device is fully functional; grades describe looks."""

from __future__ import annotations

GRADE_DEFINITIONS: dict[str, str] = {
    "premium": "Like new: no visible signs of use, battery at least 90% of its original capacity.",
    "excellent": "Micro-scratches invisible at arm's length; battery at least 85%.",
    "very_good": "Light scratches visible up close, none on the screen when it is on.",
    "good": "Visible scratches or small dents on the body; the screen may show light marks when off.",
    "fair": "Clear signs of use on body and screen; works like the others.",
}

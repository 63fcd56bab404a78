"""The fault suite's marker. `slow`: minutes, not seconds (`pytest -m "not slow"` leaves it out)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes minutes; the fault suite (tests/faults)")

"""What CRM's routes are built with: wired once in bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crm.service_layer.ports import KeyVault, LookupLimiter
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_shared.clock import Clock
from reloop_shared.db.types import Pool


@dataclass(frozen=True)
class Edge:
    pool: Callable[[], Pool]
    """For the read side (the 360 view, the analytics), which reads without a unit of work."""
    unit_of_work: Callable[[], CrmUnitOfWork]
    vault: KeyVault
    clock: Clock
    lookups: LookupLimiter
    """Staff lookups per caller (`CrmSettings.lookup_rate_limit`)."""

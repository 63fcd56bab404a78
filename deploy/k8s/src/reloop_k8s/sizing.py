"""Requests and limits, from the figures `make bench` measured (bench/RESULTS.md, run of
2026-12-06 on code 4d25380, 2 cores): CPU per operation of the service process times the rate the
bench names as its target. Limits leave twice the request for bursts (a replay, a backlog upload)."""

from __future__ import annotations

from dataclasses import dataclass

from reloop_k8s.names import Manifest


@dataclass(frozen=True)
class Sizing:
    cpu_us_per_operation: int
    target_per_second: int
    memory_mib: int
    figure: str
    """Which line of bench/RESULTS.md the numbers come from."""

    @property
    def cpu_millicores(self) -> int:
        measured = self.cpu_us_per_operation * self.target_per_second // 1000
        return max(100, round(measured, -1))

    def resources(self) -> Manifest:
        return {
            "requests": {"cpu": f"{self.cpu_millicores}m", "memory": f"{self.memory_mib}Mi"},
            "limits": {"cpu": f"{2 * self.cpu_millicores}m", "memory": f"{2 * self.memory_mib}Mi"},
        }


# Memory: "consumer peak RSS 106 MB" flat out (target < 200 MB): 128Mi requested, 256Mi limit.
FOUNDATION = "Foundation: CPU per event: service 111 us, at 1,000 events/s (the steady-latency run)"
SIZES: dict[str, Sizing] = {
    # No catalog or orders benchmark of its own: the foundation's outbox -> consumer path.
    "catalog": Sizing(111, 1_000, 128, FOUNDATION),
    "orders": Sizing(111, 1_000, 128, FOUNDATION),
    "inventory": Sizing(408, 2_000, 128, "Sales: CPU per sale: service 408 us, target >= 2,000 sales/s"),
    "store-sync": Sizing(
        482, 1_000, 128, "store-sync: CPU per transaction: service 482 us, target >= 1,000 transactions/s"
    ),
    # CRM keeps up to 500,000 subject keys in memory; "replay peak RSS 458 MB" (all workers).
    "crm": Sizing(111, 5_000, 256, "Foundation: CPU per event: service 111 us, target >= 5,000 events/s"),
    "trade-in": Sizing(1_911, 500, 128, "trade-in: CPU per quote: service 1,911 us, target >= 500 quotes/s"),
    "repair": Sizing(2_022, 500, 128, "repair: CPU per transition: service 2,022 us, target >= 500 transitions/s"),
}

RELAY = Sizing(40, 2_000, 128, "Foundation: CPU per event: kafka 40 us (no figure isolates the relay), 2,000 sales/s")
MIGRATION = Sizing(0, 0, 128, "a one-off Job: the floor")

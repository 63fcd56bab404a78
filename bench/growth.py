"""Growth: each path at 1x, 2x and 4x its base load, and with 1, 2 and 4 partitions / consumer
instances, with the CPU each process spends per event, so the reader sees whether the cost per
event stays flat as load and instances grow.

The load runs use one partition and one instance, so they differ from each other only in size;
the instance runs put N partitions under N instances of the same consumer group at the base load.
The committed path runs `reloop relay` as its own process here, so the relay's CPU is its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench import foundation, sales, store_sync
from reloop_localstack.stack import Endpoints

SCALES = (1, 2, 4)
INSTANCES = (2, 4)
"""Beside the 1-instance run at 1x, which the load runs already made."""


@dataclass
class GrowthPoint:
    path: str
    scale: int
    instances: int
    events: int
    seconds: float
    cpu_us_per_process: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_event(self) -> float:
        """Every process's CPU per event together: flat when the path scales linearly."""
        return sum(self.cpu_us_per_process.values())


async def committed_path(endpoints: Endpoints, base: int) -> list[GrowthPoint]:
    points = []
    for scale, instances in [(s, 1) for s in SCALES] + [(1, i) for i in INSTANCES]:
        figures = await foundation.outbox_path(
            endpoints, base * scale, partitions=instances, consumers=instances, separate_relay=True
        )
        points.append(
            GrowthPoint(
                "committed path",
                scale,
                instances,
                figures.events,
                figures.seconds,
                figures.cpu_us_per_process,
                {"consumer": figures.consumer_peak_rss_mb},
            )
        )
    return points


async def shop_sales(endpoints: Endpoints, base: int) -> list[GrowthPoint]:
    points = []
    for scale, instances in [(s, 1) for s in SCALES] + [(1, i) for i in INSTANCES]:
        figures = await sales.shop_sales(endpoints, base * scale, instances=instances, partitions=instances)
        points.append(
            GrowthPoint(
                "shop sales through inventory",
                scale,
                instances,
                figures.sales,
                figures.seconds,
                figures.cpu_us_per_process,
                figures.peak_rss_mb,
            )
        )
    return points


async def pos(endpoints: Endpoints, base: int) -> list[GrowthPoint]:
    """POS at 1x, 2x, 4x only: store-sync runs as one process (its HTTP edge is the load)."""
    points = []
    for scale in SCALES:
        figures = await store_sync.pos_ingestion(endpoints, base * scale)
        points.append(
            GrowthPoint(
                "POS (10 per request)",
                scale,
                1,
                figures.events,
                figures.events_seconds,
                figures.cpu_us_per_process,
                {"store-sync": figures.peak_rss_mb},
            )
        )
    return points

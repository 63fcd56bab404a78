"""The runtime's own metrics: HTTP requests by route template, consumer lag per partition."""

from __future__ import annotations

from typing import Any

import httpx
from aiokafka.structs import ConsumerRecord, TopicPartition
from fastapi import APIRouter
from prometheus_client import REGISTRY

from reloop_shared.consumer.lag import ForgetRevokedLag, record_lag
from reloop_shared.errors import DomainError, ErrorKind
from reloop_shared.http.app import create_edge
from reloop_shared.http.authentication import public


class UnitMissing(DomainError):
    kind = ErrorKind.NOT_FOUND


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _edge() -> httpx.AsyncClient:
    router = APIRouter(dependencies=[public()])

    @router.get("/metrics-test/units/{unit_id}")
    async def unit(unit_id: str) -> dict[str, str]:
        if unit_id == "gone":
            raise UnitMissing("no such unit")
        return {"unit_id": unit_id}

    app = create_edge(title="metrics", routers=[router])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge")


async def test_requests_are_counted_by_route_template_never_by_raw_path() -> None:
    route = "/metrics-test/units/{unit_id}"
    before = _value("reloop_http_requests_total", method="GET", route=route, status="200")
    timed_before = _value("reloop_http_request_duration_seconds_count", method="GET", route=route)
    async with _edge() as client:
        for unit_id in ("u-1", "u-2", "u-3"):
            assert (await client.get(f"/metrics-test/units/{unit_id}")).status_code == 200
    assert _value("reloop_http_requests_total", method="GET", route=route, status="200") == before + 3
    assert _value("reloop_http_request_duration_seconds_count", method="GET", route=route) == timed_before + 3
    assert _value("reloop_http_requests_total", method="GET", route="/metrics-test/units/u-1", status="200") == 0


async def test_an_error_answer_is_counted_with_the_status_the_caller_got() -> None:
    route = "/metrics-test/units/{unit_id}"
    before = _value("reloop_http_requests_total", method="GET", route=route, status="404")
    async with _edge() as client:
        assert (await client.get("/metrics-test/units/gone")).status_code == 404
    assert _value("reloop_http_requests_total", method="GET", route=route, status="404") == before + 1


async def test_a_path_no_route_matches_is_counted_under_one_label() -> None:
    before = _value("reloop_http_requests_total", method="GET", route="unmatched", status="404")
    async with _edge() as client:
        for path in ("/metrics-test/nothing/1", "/metrics-test/nothing/2"):
            assert (await client.get(path)).status_code == 404
    assert _value("reloop_http_requests_total", method="GET", route="unmatched", status="404") == before + 2


def _record(topic: str, partition: int, offset: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(topic, partition, offset, 0, 0, b"k", b"v", None, 1, 1, [])


class _Consumer:
    """What the lag reads from aiokafka's consumer: the highwater marks of its last fetch."""

    def __init__(self, highwater: dict[TopicPartition, int | None]) -> None:
        self.marks = highwater

    def highwater(self, partition: TopicPartition) -> int | None:
        if partition not in self.marks:
            raise AssertionError("Partition is not assigned")
        return self.marks[partition]


def test_lag_is_the_highwater_mark_minus_the_next_offset_to_consume() -> None:
    consumer = _Consumer({TopicPartition("lag.a.v1", 0): 10, TopicPartition("lag.a.v1", 1): 4})
    batch = [_record("lag.a.v1", 0, 3), _record("lag.a.v1", 0, 4), _record("lag.a.v1", 1, 3)]
    record_lag(consumer, "lag-test", batch)
    assert _value("reloop_consumer_lag", consumer="lag-test", topic="lag.a.v1", partition="0") == 5
    assert _value("reloop_consumer_lag", consumer="lag-test", topic="lag.a.v1", partition="1") == 0


def test_a_partition_revoked_or_without_a_mark_yet_is_left_unmeasured() -> None:
    consumer = _Consumer({TopicPartition("lag.b.v1", 0): None})
    record_lag(consumer, "lag-test", [_record("lag.b.v1", 0, 1), _record("lag.b.v1", 1, 1)])
    for partition in ("0", "1"):
        assert (
            REGISTRY.get_sample_value(
                "reloop_consumer_lag", {"consumer": "lag-test", "topic": "lag.b.v1", "partition": partition}
            )
            is None
        )


def test_the_in_memory_broker_s_consumer_measures_nothing() -> None:
    fake: Any = object()
    record_lag(fake, "lag-test", [_record("lag.c.v1", 0, 1)])
    assert (
        REGISTRY.get_sample_value(
            "reloop_consumer_lag", {"consumer": "lag-test", "topic": "lag.c.v1", "partition": "0"}
        )
        is None
    )


def test_the_lag_of_a_partition_handed_to_another_replica_is_forgotten() -> None:
    consumer = _Consumer({TopicPartition("lag.d.v1", 0): 9, TopicPartition("lag.d.v1", 1): 9})
    record_lag(consumer, "lag-test", [_record("lag.d.v1", 0, 1), _record("lag.d.v1", 1, 1)])
    ForgetRevokedLag("lag-test").on_partitions_revoked([TopicPartition("lag.d.v1", 0), TopicPartition("lag.d.v1", 7)])
    labels = {"consumer": "lag-test", "topic": "lag.d.v1"}
    assert REGISTRY.get_sample_value("reloop_consumer_lag", {**labels, "partition": "0"}) is None
    assert REGISTRY.get_sample_value("reloop_consumer_lag", {**labels, "partition": "1"}) == 7

"""How long the broker keeps each topic is declared in the registry, by what its events are: the
rules that declaration must keep, and what the AsyncAPI document says of it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reloop_contracts import crm, inventory, orders, privacy, repair, sales, store, trade_in
from reloop_contracts.export import asyncapi
from reloop_contracts.registry import A_WEEK_MS, KEPT_FOR_EVER, TopicSpec
from reloop_contracts.topics import REGISTRY

STREAMS_OF_RECORD = (
    sales.TRANSACTIONS,
    inventory.SALE_ALLOCATIONS,
    inventory.UNITS,
    orders.ORDERS,
    privacy.ERASURE,
    crm.PROFILES,
    trade_in.TRADE_INS,
    trade_in.VOUCHERS,
    repair.SUBSCRIPTIONS,
    repair.TICKETS,
    store.SHOPS,
    store.DROP_OFFS,
    store.SHIPMENTS,
)
"""Facts the business answers for (money, customers' devices, erasures) and the histories
rebuilt from them: every record of them, whatever its key, is needed years later."""

NOTIFICATIONS = (inventory.AVAILABILITY, repair.PARTS)
"""Each record restates or signals what a service's own database holds: stale within days."""


def _ids(topics: tuple[TopicSpec, ...]) -> list[str]:
    return [topic.name for topic in topics]


@pytest.mark.parametrize("topic", STREAMS_OF_RECORD, ids=_ids(STREAMS_OF_RECORD))
def test_every_stream_of_record_is_kept_for_ever_record_by_record(topic: TopicSpec) -> None:
    assert (topic.retention_ms, topic.cleanup_policy) == (KEPT_FOR_EVER, "delete")


@pytest.mark.parametrize("topic", NOTIFICATIONS, ids=_ids(NOTIFICATIONS))
def test_every_notification_has_a_finite_retention(topic: TopicSpec) -> None:
    assert topic.retention_ms > 0
    assert topic.cleanup_policy == "delete"


def test_a_topic_cut_by_age_keeps_at_least_a_week_so_a_consumer_down_for_days_loses_nothing() -> None:
    cut = {topic.name: topic.retention_ms for topic in REGISTRY if not topic.kept_for_ever}
    assert cut, "the registry declares no notification at all"
    assert {name: ms for name, ms in cut.items() if ms < A_WEEK_MS} == {}


def test_a_topic_crm_rebuilds_from_never_loses_a_record_by_age() -> None:
    # `reloop replay crm` reads every topic CRM consumes from its beginning: an erasure or a sale
    # deleted by age would be missing from the rebuilt read model.
    cut = [topic.name for topic in REGISTRY if "crm" in topic.consumers and not topic.kept_for_ever]
    assert cut == []


COMPACTED = [topic for topic in REGISTRY if topic.cleanup_policy == "compact"]


@pytest.mark.parametrize("topic", COMPACTED, ids=[topic.name for topic in COMPACTED])
def test_a_compacted_topic_is_keyed_by_an_aggregate_whose_one_event_restates_it_whole(topic: TopicSpec) -> None:
    # Compaction keeps a key's latest record only: a second kind of event on the key would erase
    # the first kind's state, and a key that is not the aggregate's id would merge aggregates.
    assert topic.key.endswith("_id"), f"{topic.name} is keyed by {topic.key}, not an aggregate id"
    [event] = topic.events
    assert event.model_fields[topic.key].is_required(), f"{event.__name__} may lack its key {topic.key}"


def test_the_registry_holds_compacted_topics_and_notifications_beside_its_streams_of_record() -> None:
    assert COMPACTED, "no compacted topic: the rule above would test nothing"
    assert {topic.name for topic in NOTIFICATIONS} <= {topic.name for topic in REGISTRY if not topic.kept_for_ever}


@pytest.mark.parametrize("topic", list(REGISTRY), ids=[topic.name for topic in REGISTRY])
def test_every_dead_letter_topic_is_kept_for_ever_on_one_partition(topic: TopicSpec) -> None:
    letters = topic.dead_letter_settings
    assert letters.name == topic.dead_letter
    assert letters.configs() == {"retention.ms": "-1", "cleanup.policy": "delete"}
    assert letters.partitions == 1


def test_a_topic_is_told_to_the_broker_as_the_registry_declares_it() -> None:
    settings = inventory.AVAILABILITY.settings
    assert (settings.name, settings.partitions) == (inventory.AVAILABILITY.name, inventory.AVAILABILITY.partitions)
    assert settings.configs() == {"retention.ms": str(A_WEEK_MS), "cleanup.policy": "delete"}


def test_a_retention_neither_for_ever_nor_positive_is_refused() -> None:
    with pytest.raises(ValueError, match="retention_ms"):
        replace(inventory.AVAILABILITY, retention_ms=0)


def test_a_compacted_topic_with_a_stated_retention_is_refused_as_a_promise_kafka_would_not_keep() -> None:
    with pytest.raises(ValueError, match="compacted"):
        replace(inventory.AVAILABILITY, cleanup_policy="compact", retention_ms=A_WEEK_MS)


def test_the_asyncapi_document_carries_each_topic_retention_and_cleanup_policy_as_a_kafka_binding() -> None:
    channels = asyncapi()["channels"]
    for topic in REGISTRY:
        binding = channels[topic.name]["bindings"]["kafka"]
        assert binding["partitions"] == topic.partitions
        assert binding["topicConfiguration"] == {
            "retention.ms": topic.retention_ms,
            "cleanup.policy": [topic.cleanup_policy],
        }
        assert channels[topic.name]["x-published-for"] == list(topic.published_for)

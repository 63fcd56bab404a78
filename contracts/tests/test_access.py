"""What each service may do on the broker follows from the registry: its producers write, its
consumers read and park dead letters, and nobody else gets anything."""

from __future__ import annotations

import pytest

from reloop_contracts.access import CLUSTER, Grant, grants, outside_reader, outside_readers, principals, services
from reloop_contracts.topics import REGISTRY


def topic_operations(service: str, topic: str, namespace: str = "") -> set[str]:
    return {g.operation for g in grants(service, namespace=namespace) if g.resource_type == "topic" and g.name == topic}


def test_every_service_of_the_registry_has_a_principal() -> None:
    assert services() == ("catalog", "crm", "inventory", "orders", "repair", "store-sync", "trade-in")


def test_crm_may_read_the_sales_topic_and_may_not_write_it() -> None:
    assert topic_operations("crm", "sales.transactions.v1") == {"Read", "Describe"}


def test_a_producer_may_write_its_topic_and_only_see_its_dead_letters() -> None:
    assert topic_operations("store-sync", "sales.transactions.v1") == {"Write", "Describe"}
    assert topic_operations("store-sync", "sales.transactions.v1.dlq") == {"Describe"}


def test_a_consumer_may_write_the_dead_letters_of_what_it_reads() -> None:
    assert topic_operations("inventory", "sales.transactions.v1.dlq") == {"Write", "Describe"}


def test_a_service_gets_nothing_on_a_topic_it_neither_produces_nor_consumes() -> None:
    assert topic_operations("store-sync", "crm.profiles.v1") == set()
    assert topic_operations("catalog", "sales.transactions.v1.dlq") == set()


def test_every_topic_grant_is_one_the_registry_explains() -> None:
    for service in services():
        for grant in grants(service):
            if grant.resource_type != "topic":
                continue
            topic = REGISTRY.topic(grant.name.removesuffix(".dlq"))
            if grant.name.endswith(".dlq"):
                reason = service in topic.consumers or (grant.operation == "Describe" and service in topic.producers)
            elif grant.operation == "Write":
                reason = service in topic.producers
            elif grant.operation == "Read":
                reason = service in topic.consumers
            else:
                reason = service in (*topic.producers, *topic.consumers)
            assert reason, f"{service} has {grant} that the registry does not explain"


def test_a_service_reads_its_own_consumer_groups_and_writes_idempotently() -> None:
    crm = grants("crm")
    assert Grant("group", "crm", "Read", "prefixed") in crm
    assert Grant("cluster", CLUSTER, "IdempotentWrite") in crm
    assert {g.resource_type for g in crm} == {"topic", "group", "cluster"}


def test_topics_under_a_namespace_are_granted_under_it() -> None:
    assert topic_operations("crm", "t1234.sales.transactions.v1", namespace="t1234") == {"Read", "Describe"}
    assert topic_operations("crm", "sales.transactions.v1", namespace="t1234") == set()


def test_a_name_the_registry_does_not_know_has_no_access() -> None:
    with pytest.raises(KeyError, match="marketing"):
        grants("marketing")


def test_an_outside_system_named_in_published_for_gets_a_principal_of_its_own() -> None:
    assert outside_reader("marketing tool") == "ext-marketing-tool"
    assert outside_readers() == ("ext-marketing-tool", "ext-parts-purchasing", "ext-storefront-search-index")
    assert principals() == (*services(), *outside_readers())


def test_the_marketing_tool_may_read_the_segments_topic_and_nothing_else() -> None:
    assert grants("ext-marketing-tool") == {
        Grant("topic", "crm.segments.v1", "Read"),
        Grant("topic", "crm.segments.v1", "Describe"),
        Grant("group", "ext-marketing-tool", "Read", "prefixed"),
    }


def test_an_outside_reader_reads_every_topic_published_for_it_and_writes_none() -> None:
    search_index = grants("ext-storefront-search-index")
    published = {t.name for t in REGISTRY if "storefront search index" in t.published_for}
    assert {g.name for g in search_index if g.resource_type == "topic"} == published
    assert {g.operation for g in search_index} == {"Read", "Describe"}


def test_an_outside_readers_topics_are_granted_under_a_namespace() -> None:
    assert topic_operations("ext-marketing-tool", "t1234.crm.segments.v1", namespace="t1234") == {"Read", "Describe"}


def test_an_outside_system_no_topic_is_published_for_has_no_access() -> None:
    with pytest.raises(KeyError, match="ext-accounting"):
        grants("ext-accounting")

"""The topic registry says who produces and who consumes each topic, and the AsyncAPI document,
the Kafka ACLs and the topic manifests are generated from it: so it must say what the services
really do. Each service is built as it runs, and its subscriptions and outbox topics are compared
with the registry's consumers and producers."""

from __future__ import annotations

import pytest

from reloop_contracts.topics import REGISTRY
from reloop_shared.runtime import ServiceRuntime
from tests.every_service import SERVICES


def _runtimes() -> dict[str, ServiceRuntime]:
    return {name: build()[0] for name, build in SERVICES.items()}


def test_every_consumer_the_registry_names_subscribes_to_the_topic_and_no_subscriber_is_left_unnamed() -> None:
    subscribed = {
        (topic, name)
        for name, runtime in _runtimes().items()
        for subscription in runtime.subscriptions
        for topic in subscription.topic_names
    }
    declared = {(topic.name, consumer) for topic in REGISTRY for consumer in topic.consumers}
    assert sorted(declared - subscribed) == [], "the registry names consumers that do not subscribe"
    assert sorted(subscribed - declared) == [], "services subscribe to topics the registry does not say they read"


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_a_service_publishes_only_to_topics_the_registry_says_it_produces(service: str) -> None:
    runtime = SERVICES[service]()[0]
    produced = {topic.name for topic in runtime.produces}
    declared = {topic.name for topic in REGISTRY if service in topic.producers}
    assert produced <= declared


@pytest.mark.parametrize("name", [topic.name for topic in REGISTRY])
def test_a_topic_none_of_our_services_reads_names_the_outside_system_it_is_published_for(name: str) -> None:
    topic = REGISTRY.topic(name)
    assert topic.consumers or topic.published_for, f"{name}: no consumer, and published for no one"


def test_a_topic_is_published_for_outside_systems_only_not_for_services_of_ours() -> None:
    ours = {(topic.name, reader) for topic in REGISTRY for reader in topic.published_for if reader in SERVICES}
    assert ours == set(), "a service of ours that reads a topic is one of its consumers"

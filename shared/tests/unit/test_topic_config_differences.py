"""What `ensure_topics` alters on an existing topic: only what the registry declares otherwise."""

from __future__ import annotations

from reloop_contracts import TopicSettings
from reloop_shared.kafka.admin import differences

NOTIFICATION = TopicSettings("inventory.availability.v1", 3, 604_800_000, "delete")


def test_a_topic_as_declared_differs_in_nothing_whatever_else_it_holds() -> None:
    actual = {"retention.ms": "604800000", "cleanup.policy": "delete", "max.message.bytes": "2000000"}
    assert differences(NOTIFICATION, actual) == {}


def test_a_broker_default_retention_is_a_difference_naming_both_values() -> None:
    actual = {"retention.ms": "86400000", "cleanup.policy": "delete"}
    assert differences(NOTIFICATION, actual) == {"retention.ms": ("86400000", "604800000")}


def test_a_config_the_broker_did_not_describe_is_a_difference_too() -> None:
    assert differences(NOTIFICATION, {}) == {
        "retention.ms": (None, "604800000"),
        "cleanup.policy": (None, "delete"),
    }

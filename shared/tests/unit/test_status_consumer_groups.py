"""`reloop status` reads a service's position from every consumer group of its own, not only the
one named after it (inventory reads the catalog in `inventory-catalog`)."""

from __future__ import annotations

from reloop_shared.cli.system_status import groups_of

ON_THE_BROKER = ["crm", "crm-replay-1a2b3c4d", "inventory", "inventory-catalog", "inventory-shops", "orders"]


def test_a_service_s_groups_are_its_name_and_its_subscriptions_own_groups() -> None:
    assert groups_of("inventory", ON_THE_BROKER) == ["inventory", "inventory-catalog", "inventory-shops"]


def test_a_rebuild_s_throwaway_group_is_not_the_service_s_position() -> None:
    assert groups_of("crm", ON_THE_BROKER) == ["crm"]


def test_a_service_whose_name_starts_another_s_is_not_given_its_groups() -> None:
    assert groups_of("order", ON_THE_BROKER) == []

"""The services a cluster runs, and what each reads and writes according to the topic registry.

The name, module, port and settings prefix repeat `reloop_localstack`'s services.toml on purpose:
this package does not depend on the local stack, and a test holds the two lists equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from reloop_contracts.registry import Registry, TopicSpec


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    env_prefix: str
    port: int
    callers: str
    """Who reaches the HTTP edge through the ingress controller (the edge checks each route's scope)."""
    personal_data: bool = False
    """Seals personal data with keys from the key store (`reloop_keyvault`)."""

    @property
    def database(self) -> str:
        return f"reloop_{self.module}"

    @property
    def role(self) -> str:
        """The PostgreSQL role owning the service's database (a role name cannot hold a dash)."""
        return self.module

    @property
    def image(self) -> str:
        return f"reloop-{self.name}"

    def produces(self, registry: Registry) -> tuple[TopicSpec, ...]:
        return tuple(topic for topic in registry if self.name in topic.producers)

    def consumes(self, registry: Registry) -> tuple[TopicSpec, ...]:
        return tuple(topic for topic in registry if self.name in topic.consumers)


SERVICES: tuple[Service, ...] = (
    # Every service has an edge someone outside the cluster must reach (README, "Security model"):
    # no service talks to another over HTTP, so the ingress controller is the only HTTP caller.
    Service("catalog", "catalog", "CATALOG_", 8101, "storefront (public reads), back office"),
    Service("inventory", "inventory", "INVENTORY_", 8102, "storefront (availability), back office"),
    Service("orders", "orders", "ORDERS_", 8103, "storefront, customers, warehouse", personal_data=True),
    Service("store-sync", "store_sync", "STORE_SYNC_", 8104, "shop tills, back office", personal_data=True),
    Service("crm", "crm", "CRM_", 8105, "back office, customers (export, erasure)", personal_data=True),
    Service("trade-in", "trade_in", "TRADE_IN_", 8106, "customers, shops, back office"),
    Service("repair", "repair", "REPAIR_", 8107, "customers, workshop, public tracking"),
)

"""Before any service starts: the registry's topics exist and each service's ACLs allow exactly what
the registry says it does (`reloop_contracts.access`), both done as the admin, so no service needs
the right to create topics or to change what another may do."""

from __future__ import annotations

from reloop_contracts import REGISTRY
from reloop_contracts.access import grants, principals
from reloop_localstack.kafka_acls import create_acls
from reloop_localstack.kafka_credentials import KafkaCredentials
from reloop_shared.kafka.admin import admin_client, ensure_topics


async def prepare_topics(bootstrap: str, credentials: KafkaCredentials, *, namespace: str = "") -> None:
    """The topics under `namespace` (`<namespace>.<topic>`) and the ACLs on them of every service
    and every outside reader the registry publishes a topic for."""
    admin = credentials.admin
    await ensure_topics(bootstrap, REGISTRY.namespaced(namespace), security=admin)
    allowed = [
        (f"User:{principal}", grant)
        for principal in principals()
        for grant in sorted(grants(principal, namespace=namespace))
    ]
    client = admin_client(bootstrap, admin)
    await client.start()
    try:
        await create_acls(client, allowed)
    finally:
        await client.close()

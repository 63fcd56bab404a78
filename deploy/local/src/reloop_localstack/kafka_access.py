"""Before any service starts: the registry's topics exist and each service's ACLs allow exactly what
the registry says it does (`reloop_contracts.access`), both done as the admin, so no service needs
the right to create topics or to change what another may do."""

from __future__ import annotations

from reloop_contracts import REGISTRY
from reloop_contracts.access import grants, services
from reloop_localstack.kafka_acls import create_acls
from reloop_localstack.kafka_credentials import KafkaCredentials
from reloop_shared.kafka.admin import admin_client, ensure_topics


async def prepare_topics(bootstrap: str, credentials: KafkaCredentials, *, namespace: str = "") -> None:
    """The topics under `namespace` (`<namespace>.<topic>`) and every service's ACLs on them."""
    admin = credentials.admin
    await ensure_topics(bootstrap, REGISTRY.namespaced(namespace), security=admin)
    allowed = [
        (f"User:{service}", grant) for service in services() for grant in sorted(grants(service, namespace=namespace))
    ]
    client = admin_client(bootstrap, admin)
    await client.start()
    try:
        await create_acls(client, allowed)
    finally:
        await client.close()

"""CloudNativePG: one `Cluster` (one instance; the prod overlay asks for three) and one `Database`
per service, each owned by its own role. Roles take their passwords from Secrets operations create
(`names.database_secret`): the repository holds their names, never their values."""

from __future__ import annotations

from reloop_k8s.names import KEYVAULT_DATABASE, KEYVAULT_ROLE, POSTGRES_CLUSTER, Manifest, database_secret, metadata
from reloop_k8s.services import Service

CNPG_API = "postgresql.cnpg.io/v1"
PORT = 5432
PRIMARY = f"{POSTGRES_CLUSTER}-rw"
"""The Service CloudNativePG keeps pointed at the primary."""


def owners(services: tuple[Service, ...]) -> list[tuple[str, str]]:
    """(role, database) pairs: one per service, and the key store of the personal-data services."""
    pairs = [(service.role, service.database) for service in services]
    if any(service.personal_data for service in services):
        pairs.append((KEYVAULT_ROLE, KEYVAULT_DATABASE))
    return pairs


def cluster(services: tuple[Service, ...]) -> Manifest:
    roles = [
        {"name": role, "ensure": "present", "login": True, "passwordSecret": {"name": database_secret(role)}}
        for role, _ in owners(services)
    ]
    return {
        "apiVersion": CNPG_API,
        "kind": "Cluster",
        "metadata": metadata(POSTGRES_CLUSTER),
        "spec": {
            "instances": 1,
            "enableSuperuserAccess": False,
            "storage": {"size": "20Gi"},
            "managed": {"roles": roles},
        },
    }


def databases(services: tuple[Service, ...]) -> list[Manifest]:
    return [
        {
            "apiVersion": CNPG_API,
            "kind": "Database",
            "metadata": metadata(database.replace("_", "-")),
            "spec": {
                "name": database,
                "owner": role,
                "cluster": {"name": POSTGRES_CLUSTER},
                "ensure": "present",
                "databaseReclaimPolicy": "retain",
            },
        }
        for role, database in owners(services)
    ]


def url(role: str, database: str, password_variable: str) -> str:
    """A URL Kubernetes completes at start from the variable holding the role's password
    (`$(VAR)`), so the password never sits in a manifest."""
    return f"postgresql://{role}:$({password_variable})@{PRIMARY}:{PORT}/{database}?sslmode=require"

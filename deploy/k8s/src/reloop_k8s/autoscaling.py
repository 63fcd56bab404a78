"""KEDA: each consuming Deployment scales on its consumer group's lag, never past the partition
count of the smallest topic it reads (a replica more would sit idle)."""

from __future__ import annotations

from reloop_contracts.registry import Registry
from reloop_k8s.kafka_cluster import bootstrap_servers
from reloop_k8s.kafka_topics import smallest_partition_count
from reloop_k8s.names import KAFKA_CA_SECRET, Manifest, labels, metadata
from reloop_k8s.services import Service

KEDA_API = "keda.sh/v1alpha1"
LAG_PER_REPLICA = 2_000
"""About one second of a replica's work: bench/RESULTS.md, sales applied ~1,800/s per inventory process."""


def trigger_authentication(service: Service) -> Manifest:
    """The service's own KafkaUser: the lag is read with exactly the service's rights."""
    return {
        "apiVersion": KEDA_API,
        "kind": "TriggerAuthentication",
        "metadata": metadata(f"{service.name}-kafka", labels(service.name, "autoscaling")),
        "spec": {
            "secretTargetRef": [{"parameter": "password", "name": service.name, "key": "password"}],
            "env": [{"parameter": "username", "name": "KAFKA_SASL_USERNAME", "containerName": service.name}],
        },
    }


def tls_ca() -> Manifest:
    """Added by the prod overlay: the CA the scaler verifies the brokers with."""
    return {"parameter": "ca", "name": KAFKA_CA_SECRET, "key": "ca.crt"}


def scaled_object(service: Service, registry: Registry) -> Manifest:
    return {
        "apiVersion": KEDA_API,
        "kind": "ScaledObject",
        "metadata": metadata(service.name, labels(service.name, "autoscaling")),
        "spec": {
            "scaleTargetRef": {"name": service.name},
            "minReplicaCount": 1,
            "maxReplicaCount": smallest_partition_count(service.consumes(registry)),
            "triggers": [
                {
                    "type": "kafka",
                    "metadata": {
                        "bootstrapServers": bootstrap_servers(tls=False),
                        "consumerGroup": service.name,  # the group id is the consumer's name
                        "lagThreshold": str(LAG_PER_REPLICA),
                        "offsetResetPolicy": "earliest",
                        "sasl": "scram_sha512",
                        "tls": "disable",
                    },
                    "authenticationRef": {"name": f"{service.name}-kafka"},
                }
            ],
        },
    }

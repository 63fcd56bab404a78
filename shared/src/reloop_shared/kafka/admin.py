"""Creates the topics a service produces or consumes (and their dead-letter topics) up front, with
the partitions, retention and cleanup policy the contracts declare rather than the broker's defaults.

The registry is declarative: a topic that already exists with another retention or cleanup policy is
altered to the registry's, so a retention changed in `contracts/` reaches the cluster at the next
start, as Strimzi's topic operator does for a `KafkaTopic`. When the broker refuses (a principal
without `Create`, `DescribeConfigs` or `AlterConfigs`: a service under ACLs), a warning names the
topic and what could not be done, and the service starts. Partitions are never changed
here: adding some moves keys to other partitions and breaks per-key order, so that is only logged.

Where another holds that job (Strimzi's topic operator, the local stack's admin), a service only
checks that its topics exist (`require_topics`) and does not start without them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from reloop_contracts import TopicSettings, TopicSpec
from reloop_shared.kafka.connection import KafkaSecurity

log = logging.getLogger(__name__)

TOPIC_ALREADY_EXISTS = 36
"""Another service created the topic between our listing and our request: from the same registry."""
NOT_AUTHORIZED = (29, 31)
"""TOPIC_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED: the principal may not create it."""
DYNAMIC_TOPIC_CONFIG = 1
"""`config_source` of a value set on the topic itself, rather than a broker default."""

Differences = dict[str, tuple[str | None, str]]
"""Per config name: (the broker's value, the registry's)."""


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[TopicSpec], *, replication: int = 1, security: KafkaSecurity | None = None
) -> None:
    """Each topic and its dead-letter topic as the registry declares them (`replication` is 1 on
    a laptop; a cluster passes its own)."""
    wanted: list[TopicSettings] = []
    for topic in topics:
        wanted += [topic.settings, topic.dead_letter_settings]
    await ensure_topic_settings(bootstrap_servers, wanted, replication=replication, security=security)


async def ensure_topic_names(
    bootstrap_servers: str, wanted: dict[str, int], *, replication: int = 1, security: KafkaSecurity | None = None
) -> None:
    """Topics outside the registry (a benchmark's scratch topics): partitions only, broker defaults else."""
    admin = admin_client(bootstrap_servers, security)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        await _create(admin, [NewTopic(n, p, replication) for n, p in wanted.items() if n not in existing])
    finally:
        await admin.close()


async def ensure_topic_settings(
    bootstrap_servers: str,
    settings: Iterable[TopicSettings],
    *,
    replication: int = 1,
    security: KafkaSecurity | None = None,
) -> None:
    wanted = {s.name: s for s in settings}
    admin = admin_client(bootstrap_servers, security)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in wanted.values() if s.name not in existing]
        await _create(admin, [NewTopic(s.name, s.partitions, replication, topic_configs=s.configs()) for s in missing])
        present = [s for s in wanted.values() if s.name in existing]
        if present:
            await _warn_of_other_partitions(admin, present)
            await _bring_to_the_registry(admin, present)
    finally:
        await admin.close()


class MissingTopics(RuntimeError):
    """Topics a service needs that nobody created: it would wait on them silently otherwise."""


async def require_topics(
    bootstrap_servers: str, topics: Iterable[TopicSpec], *, security: KafkaSecurity | None = None
) -> None:
    """Each topic and its dead-letter topic exists; MissingTopics names those that do not.

    Needs only Describe on them (the metadata a principal under ACLs is shown), so no warning of
    what the service may not read or create."""
    wanted = {name for topic in topics for name in (topic.name, topic.dead_letter)}
    admin = admin_client(bootstrap_servers, security)
    await admin.start()
    try:
        missing = sorted(wanted - set(await admin.list_topics()))
    finally:
        await admin.close()
    if missing:
        raise MissingTopics(
            f"topics missing: {', '.join(missing)}; whoever manages this cluster's topics creates them "
            "from the registry (Strimzi's KafkaTopics, or the local stack's admin)"
        )


def differences(wanted: TopicSettings, actual: Mapping[str, str]) -> Differences:
    """What the broker holds for a topic that the registry says otherwise."""
    return {name: (actual.get(name), value) for name, value in wanted.configs().items() if actual.get(name) != value}


async def _create(admin: AIOKafkaAdminClient, topics: list[NewTopic]) -> None:
    if not topics:
        return
    response = await admin.create_topics(topics)
    created = []
    for topic, code, *rest in response.topic_errors:
        if code in NOT_AUTHORIZED:
            # A principal without Create (a service under ACLs): whoever holds it (the local stack,
            # Strimzi's topic operator) creates the registry's topics; a topic still missing shows
            # at the first publish or subscription, which name it.
            log.warning("not allowed to create topic %s: it is expected to exist", topic)
        elif code not in (0, TOPIC_ALREADY_EXISTS):
            raise RuntimeError(f"cannot create topic {topic}: error {code} {rest[0] if rest else ''}".rstrip())
        else:
            created.append(topic)
    if created:
        log.info("created topics", extra={"topics": created})


async def _warn_of_other_partitions(admin: AIOKafkaAdminClient, present: list[TopicSettings]) -> None:
    described = await admin.describe_topics([s.name for s in present])
    counts = {t["topic"]: len(t["partitions"]) for t in described if t["error_code"] == 0}
    for wanted in present:
        if counts.get(wanted.name, wanted.partitions) != wanted.partitions:
            log.warning(
                "topic %s has %s partitions, the registry says %s; left as is (per-key order)",
                wanted.name,
                counts[wanted.name],
                wanted.partitions,
            )


async def _bring_to_the_registry(admin: AIOKafkaAdminClient, present: list[TopicSettings]) -> None:
    described = await _configs(admin, [s.name for s in present])
    alterations: list[ConfigResource] = []
    differing: dict[str, Differences] = {}
    for wanted in present:
        if wanted.name not in described:
            continue  # unreadable (warned): altering blind could drop what an operator set on it
        effective, own = described[wanted.name]
        diff = differences(wanted, effective)
        if diff:
            differing[wanted.name] = diff
            # AlterConfigs replaces every value set on the topic: keep the others it has.
            alterations.append(ConfigResource(ConfigResourceType.TOPIC, wanted.name, {**own, **wanted.configs()}))
    if not alterations:
        return
    responses = await admin.alter_configs(alterations)
    for response in responses:
        for code, message, _type, name in response.resources:
            if code == 0:
                log.info("altered topic %s to the registry: %s", name, _said(differing[name]))
            else:
                log.warning(
                    "topic %s differs from the registry (%s) and stays so: %s",
                    name,
                    _said(differing[name]),
                    message or code,
                )


async def _configs(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Per topic: its effective configs, and those set on the topic itself."""
    responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name) for name in names])
    configs: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    unreadable: dict[str, list[str]] = {}
    for response in responses:
        for resource in response.to_object()["resources"]:
            if resource["error_code"] != 0:
                unreadable.setdefault(resource["error_message"] or str(resource["error_code"]), []).append(
                    resource["resource_name"]
                )
                continue
            entries: list[dict[str, Any]] = resource["config_entries"]
            effective = {e["config_names"]: e["config_value"] for e in entries}
            own = {e["config_names"]: e["config_value"] for e in entries if _set_on_the_topic(e)}
            configs[resource["resource_name"]] = (effective, own)
    for reason, topics in unreadable.items():
        # One line, not one per topic: a service under ACLs may read none of them (no DescribeConfigs).
        log.warning("cannot read the configs of topics %s: %s", ", ".join(sorted(topics)), reason)
    return configs


def _set_on_the_topic(entry: Mapping[str, Any]) -> bool:
    if "config_source" in entry:
        return bool(entry["config_source"] == DYNAMIC_TOPIC_CONFIG)
    return not entry["is_default"] and not entry["read_only"]  # DescribeConfigs v0 has no source


def _said(diff: Differences) -> str:
    return ", ".join(f"{name} {actual} -> {wanted}" for name, (actual, wanted) in sorted(diff.items()))


def admin_client(bootstrap_servers: str, security: KafkaSecurity | None = None) -> AIOKafkaAdminClient:
    """An admin client connecting like every other client (`security` from the environment when not given)."""
    options = (security or KafkaSecurity.from_environment()).client_options()
    return AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **options)

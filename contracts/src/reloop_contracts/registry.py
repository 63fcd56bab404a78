"""Which topics exist, what key orders them and which events each one carries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from reloop_contracts.base import Event

CleanupPolicy = Literal["delete", "compact"]

KEPT_FOR_EVER = -1
"""`retention.ms` of a topic the broker never cuts by age: a stream of record, a dead letter."""

A_WEEK_MS = 7 * 24 * 60 * 60 * 1000
"""`retention.ms` of a notification: long enough to outlast any consumer's outage (a long weekend
and the week after it is not), short enough that high-volume restatements do not pile up."""


@dataclass(frozen=True)
class TopicSettings:
    """What the broker is told about one topic. The local stack (`ensure_topics`) and the Kubernetes
    `KafkaTopic`s are both generated from this, so they cannot disagree."""

    name: str
    partitions: int
    retention_ms: int
    cleanup_policy: CleanupPolicy

    def configs(self) -> dict[str, str]:
        """The topic-level configs, as Kafka's admin API and Strimzi's `spec.config` spell them."""
        return {"retention.ms": str(self.retention_ms), "cleanup.policy": self.cleanup_policy}


@dataclass(frozen=True)
class TopicSpec:
    """One topic: `<domain>.<stream>.v<N>`, keyed by an aggregate id so per-aggregate order holds."""

    name: str
    key: str
    events: tuple[type[Event], ...]
    producers: tuple[str, ...]
    description: str
    consumers: tuple[str, ...] = ()
    partitions: int = 3
    retention_ms: int = -1
    """How long the broker keeps a record: -1 for ever (a stream of record: sales, returns, erasure
    requests, vouchers, dead letters), or a stated time for high-volume notifications."""
    cleanup_policy: CleanupPolicy = "delete"
    """`compact`: only each key's latest record matters, older ones of the key may go."""
    published_for: tuple[str, ...] = ()
    """Systems outside this repository that read the topic: a topic none of our services consumes
    is a mistake unless it is published for someone named here."""

    def __post_init__(self) -> None:
        if self.retention_ms != KEPT_FOR_EVER and self.retention_ms <= 0:
            raise ValueError(f"{self.name}: retention_ms is {KEPT_FOR_EVER} (for ever) or a positive time")
        if self.cleanup_policy not in ("delete", "compact"):
            raise ValueError(f"{self.name}: cleanup_policy {self.cleanup_policy!r} is neither delete nor compact")
        if self.cleanup_policy == "compact" and self.retention_ms != KEPT_FOR_EVER:
            # Kafka ignores retention.ms under `compact` alone: a stated time would be a promise not kept.
            raise ValueError(f"{self.name}: a compacted topic keeps each key's latest record, retention_ms must be -1")

    @property
    def dead_letter(self) -> str:
        return f"{self.name}.dlq"

    @property
    def settings(self) -> TopicSettings:
        return TopicSettings(self.name, self.partitions, self.retention_ms, self.cleanup_policy)

    @property
    def dead_letter_settings(self) -> TopicSettings:
        """A dead letter waits for an operator's replay however long that takes, so it is kept for
        ever; one partition is enough for the few there are, and `reloop dlq list` reads them in order."""
        return TopicSettings(self.dead_letter, 1, KEPT_FOR_EVER, "delete")

    @property
    def kept_for_ever(self) -> bool:
        """Nothing of the topic expires by age: every record kept, or each key's latest one."""
        return self.retention_ms == KEPT_FOR_EVER

    def key_of(self, event: Event) -> str:
        value = getattr(event, self.key, None)
        if value is None:
            raise ValueError(f"{type(event).__name__} has no '{self.key}' to key topic {self.name}")
        return str(value)

    def carries(self, event: type[Event]) -> bool:
        return event in self.events


@dataclass
class Registry:
    topics: dict[str, TopicSpec] = field(default_factory=dict)
    _events: dict[tuple[str, int], type[Event]] = field(default_factory=dict)

    @classmethod
    def of(cls, topics: Iterable[TopicSpec]) -> Registry:
        registry = cls()
        for topic in topics:
            registry.add(topic)
        return registry

    def add(self, topic: TopicSpec) -> None:
        if topic.name in self.topics:
            raise ValueError(f"topic {topic.name} declared twice")
        for event in topic.events:
            known = self._events.get((event.EVENT_TYPE, event.SCHEMA_VERSION))
            if known is not None and known is not event:
                raise ValueError(f"{event.schema_id()} is declared by two classes")
            self._events[(event.EVENT_TYPE, event.SCHEMA_VERSION)] = event
            if topic.key not in event.model_fields:
                raise ValueError(f"{event.__name__} lacks the key field '{topic.key}' of {topic.name}")
        self.topics[topic.name] = topic

    def topic(self, name: str) -> TopicSpec:
        try:
            return self.topics[name]
        except KeyError:
            raise KeyError(f"unknown topic {name}") from None

    def event_class(self, event_type: str, version: int) -> type[Event] | None:
        return self._events.get((event_type, version))

    def events(self) -> Iterator[type[Event]]:
        seen: set[type[Event]] = set()
        for topic in self.topics.values():
            for event in topic.events:
                if event not in seen:
                    seen.add(event)
                    yield event

    def __iter__(self) -> Iterator[TopicSpec]:
        return iter(self.topics.values())

    def namespaced(self, namespace: str) -> Registry:
        """The same topics under `<namespace>.<name>`: several environments (or test runs) can
        share one Kafka cluster without reading each other's events."""
        if not namespace:
            return self
        return Registry.of(replace(topic, name=f"{namespace}.{topic.name}") for topic in self)

    def same_topic(self, topic: TopicSpec) -> TopicSpec:
        """This registry's version of a topic declared in the contracts (namespace applied)."""
        for candidate in self:
            same_name = candidate.name == topic.name or candidate.name.endswith(f".{topic.name}")
            if same_name and candidate.events == topic.events:
                return candidate
        raise KeyError(f"no topic {topic.name} in this registry")

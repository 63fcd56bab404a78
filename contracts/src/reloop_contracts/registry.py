"""Which topics exist, what key orders them and which events each one carries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from reloop_contracts.base import Event


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
    cleanup_policy: Literal["delete", "compact"] = "delete"
    """`compact`: only each key's latest record matters, older ones of the key may go."""
    published_for: tuple[str, ...] = ()
    """Systems outside this repository that read the topic: a topic none of our services consumes
    is a mistake unless it is published for someone named here."""

    @property
    def dead_letter(self) -> str:
        return f"{self.name}.dlq"

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

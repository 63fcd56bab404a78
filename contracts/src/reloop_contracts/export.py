"""`make contracts`: write every event's JSON Schema, one AsyncAPI document for the system and the
bus's page rendered from it (`asyncapi.html`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from reloop_contracts.asyncapi_page import asyncapi_page
from reloop_contracts.base import Event
from reloop_contracts.envelope import CONTENT_TYPE, ENVELOPE_VERSION, Envelope
from reloop_contracts.registry import Registry, TopicSpec
from reloop_contracts.topics import REGISTRY

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def event_schema(event: type[Event]) -> dict[str, Any]:
    schema = event.model_json_schema()
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://reloop.example/contracts/events/{event.schema_id()}.json",
        "x-event-type": event.EVENT_TYPE,
        "x-schema-version": event.SCHEMA_VERSION,
        **schema,
    }


def envelope_schema() -> dict[str, Any]:
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://reloop.example/contracts/envelope.v{ENVELOPE_VERSION}.json",
        **Envelope.model_json_schema(),
    }


def schema_files(registry: Registry = REGISTRY) -> dict[str, dict[str, Any]]:
    """Relative path -> schema, for everything `make contracts` writes under `schemas/`."""
    files = {f"envelope.v{ENVELOPE_VERSION}.json": envelope_schema()}
    for event in registry.events():
        files[f"events/{event.schema_id()}.json"] = event_schema(event)
    files["asyncapi.json"] = asyncapi(registry)
    return files


def asyncapi(registry: Registry = REGISTRY) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    _hoist("Envelope", envelope_schema(), schemas)
    for event in registry.events():
        _hoist(event.schema_id(), event_schema(event), schemas)
        messages[event.schema_id()] = {
            "name": event.EVENT_TYPE,
            "title": f"{event.EVENT_TYPE} v{event.SCHEMA_VERSION}",
            "summary": (event.__doc__ or "").strip().splitlines()[0] if event.__doc__ else "",
            "contentType": CONTENT_TYPE,
            "headers": {
                "type": "object",
                "properties": {
                    "traceparent": {"type": "string", "description": "W3C trace context"},
                    "event-type": {"type": "string", "const": event.EVENT_TYPE},
                    "schema-version": {"type": "string", "const": str(event.SCHEMA_VERSION)},
                },
            },
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {
                        "type": "object",
                        "properties": {
                            "event_type": {"const": event.EVENT_TYPE},
                            "schema_version": {"const": event.SCHEMA_VERSION},
                            "payload": {"$ref": f"#/components/schemas/{event.schema_id()}"},
                        },
                    },
                ]
            },
        }
    for topic in registry:
        channels[topic.name] = {
            "address": topic.name,
            "description": topic.description,
            "messages": {e.schema_id(): {"$ref": f"#/components/messages/{e.schema_id()}"} for e in topic.events},
            "bindings": {"kafka": kafka_channel_binding(topic)},
            "x-key": topic.key,
            "x-producers": list(topic.producers),
            "x-consumers": list(topic.consumers),
            "x-published-for": list(topic.published_for),
            "x-dead-letter-topic": topic.dead_letter,
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "reloop events",
            "version": "1.0.0",
            "description": "Every topic and event exchanged between reloop's services. "
            "Messages are keyed by the aggregate id named in x-key; each value is an Envelope.",
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "components": {"messages": messages, "schemas": schemas},
    }


def kafka_channel_binding(topic: TopicSpec) -> dict[str, Any]:
    """AsyncAPI's Kafka channel binding (0.5.0): the topic as the broker is told to keep it."""
    settings = topic.settings
    return {
        "topic": settings.name,
        "partitions": settings.partitions,
        "topicConfiguration": {"retention.ms": settings.retention_ms, "cleanup.policy": [settings.cleanup_policy]},
        "bindingVersion": "0.5.0",
    }


def _hoist(name: str, schema: dict[str, Any], into: dict[str, Any]) -> None:
    """Move a schema and its $defs into components.schemas, rewriting refs to match.

    Pydantic names shared models once (Money, SaleLine), so a definition seen twice must be the
    same definition; a clash would make one event's document lie about another's.
    """
    definitions = schema.get("$defs", {})
    body = {k: v for k, v in schema.items() if k not in {"$schema", "$id", "$defs"}}
    for def_name, definition in {**definitions, name: body}.items():
        rewritten = _rewrite_refs(definition)
        if def_name in into and into[def_name] != rewritten:
            raise ValueError(f"two different schemas are both named {def_name}")
        into[def_name] = rewritten


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: value.replace("#/$defs/", "#/components/schemas/")
            if key == "$ref" and isinstance(value, str)
            else _rewrite_refs(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


ASYNCAPI_PAGE = "asyncapi.html"


def exported_files(registry: Registry = REGISTRY) -> dict[str, str]:
    """Relative path -> text of everything `make contracts` writes: the schemas and the bus's page."""
    files = {relative: render(schema) for relative, schema in schema_files(registry).items()}
    files[ASYNCAPI_PAGE] = asyncapi_page(asyncapi(registry))
    return files


def write(target: Path, registry: Registry = REGISTRY) -> list[Path]:
    written = []
    for relative, text in exported_files(registry).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reloop_contracts.export")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "schemas")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

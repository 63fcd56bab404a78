"""The committed JSON Schemas are the public API: a published version never changes incompatibly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reloop_contracts.compat import breaking_changes
from reloop_contracts.export import exported_files, schema_files
from reloop_contracts.topics import REGISTRY

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
COMMITTED_EVENTS = sorted((SCHEMAS / "events").glob("*.json"))


def _current(relative: str) -> dict[str, object]:
    return schema_files()[relative]


@pytest.mark.parametrize("path", COMMITTED_EVENTS, ids=lambda p: p.stem)
def test_a_published_event_schema_has_no_breaking_change(path: Path) -> None:
    event_type, version = path.stem.rsplit(".v", 1)
    model = REGISTRY.event_class(event_type, int(version))
    assert model is not None, f"{path.stem} was published; removing it needs a new version beside it"
    committed = json.loads(path.read_text())
    assert breaking_changes(committed, model.model_json_schema()) == []


def test_the_envelope_schema_has_no_breaking_change() -> None:
    committed = json.loads((SCHEMAS / "envelope.v1.json").read_text())
    assert breaking_changes(committed, _current("envelope.v1.json")) == []


def test_every_schema_the_asyncapi_document_and_its_page_are_exported_and_up_to_date() -> None:
    exported = exported_files()
    assert "asyncapi.html" in exported
    stale = [
        relative
        for relative, text in exported.items()
        if not (SCHEMAS / relative).exists() or (SCHEMAS / relative).read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run `make contracts` and commit contracts/schemas"


def test_every_topic_is_versioned_and_keyed_by_a_field_of_each_of_its_events() -> None:
    for topic in REGISTRY:
        assert topic.name.rsplit(".", 1)[-1].startswith("v"), topic.name
        for event in topic.events:
            assert topic.key in event.model_fields, (topic.name, event.__name__)

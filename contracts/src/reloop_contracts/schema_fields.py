"""A JSON Schema (as pydantic writes them, refs into `components.schemas`) as HTML a reader scans:
one row per field with its type, whether it is required, its limits and its description.

Every value from the schema is escaped: descriptions are written by people and may hold `<`.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

REF_PREFIX = "#/components/schemas/"
_LIMITS = (
    ("minLength", "min length"),
    ("maxLength", "max length"),
    ("pattern", "pattern"),
    ("minimum", "≥"),
    ("exclusiveMinimum", ">"),
    ("maximum", "≤"),
    ("exclusiveMaximum", "<"),
    ("minItems", "min items"),
    ("maxItems", "max items"),
)


def schema_anchor(name: str) -> str:
    return f"schema-{name}"


def type_of(schema: dict[str, Any]) -> str:
    """The schema's type as HTML: `string (date-time)`, `array of <a>SaleLine</a>`, `Money | null`."""
    if "$ref" in schema:
        name = str(schema["$ref"]).removeprefix(REF_PREFIX)
        return f'<a href="#{escape(schema_anchor(name))}">{escape(name)}</a>'
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return " | ".join(type_of(option) for option in schema[union])
    if "allOf" in schema:
        return " &amp; ".join(type_of(part) for part in schema["allOf"])
    if "const" in schema:
        return f"= <code>{escape(json.dumps(schema['const']))}</code>"
    if "enum" in schema:
        return "one of " + ", ".join(f"<code>{escape(json.dumps(value))}</code>" for value in schema["enum"])
    kind = schema.get("type", "any")
    kinds = kind if isinstance(kind, list) else [kind]
    if "array" in kinds:
        return "array of " + type_of(schema.get("items", {}))
    if "object" in kinds and isinstance(schema.get("additionalProperties"), dict) and "properties" not in schema:
        return "map of string to " + type_of(schema["additionalProperties"])
    text = " | ".join(escape(str(k)) for k in kinds)
    return f"{text} ({escape(str(schema['format']))})" if "format" in schema else text


def limits_of(schema: dict[str, Any]) -> str:
    """Limits of the value, also those of a nullable value's non-null option."""
    options = [schema, *schema.get("anyOf", []), schema.get("items", {})]
    found = [
        f"{label} <code>{escape(str(option[key]))}</code>"
        for option in options
        if isinstance(option, dict)
        for key, label in _LIMITS
        if key in option
    ]
    return ", ".join(found)


def fields_table(schema: dict[str, Any], *, anchor: str) -> str:
    """The schema's fields, or its type alone when it has none (an enum, a constrained string)."""
    properties: dict[str, Any] = schema.get("properties", {})
    if not properties:
        return f'<p id="{escape(anchor)}" class="type">type: {type_of(schema)}</p>'
    required = set(schema.get("required", []))
    rows = "".join(_row(name, field, name in required) for name, field in properties.items())
    return (
        f'<table id="{escape(anchor)}" class="fields">'
        "<thead><tr><th>field</th><th>type</th><th>required</th><th>limits</th><th>description</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _row(name: str, field: dict[str, Any], required: bool) -> str:
    description = escape(str(field.get("description", "")))
    if "default" in field and not required:
        description += f' <span class="default">default <code>{escape(json.dumps(field["default"]))}</code></span>'
    return (
        f"<tr><td><code>{escape(name)}</code></td><td>{type_of(field)}</td>"
        f'<td class="{"required" if required else "optional"}">{"required" if required else "optional"}</td>'
        f"<td>{limits_of(field)}</td><td>{description}</td></tr>"
    )

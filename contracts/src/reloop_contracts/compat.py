"""Breaking-change detection between a committed event JSON Schema and the one regenerated from the model.

Within one published schema version the only allowed change is adding an optional field: consumers
deployed against the committed schema must keep reading every payload the producer emits, and
producers built against it must keep being accepted. So this check is deliberately strict in both
directions (a field becoming optional, or a type widening to `X | None`, is breaking too); the one
exception is enum values, where additions are fine because consumers quarantine values they do not
know.

The schemas are what pydantic v2's `model_json_schema()` emits: `$defs` with local `$ref`s, `anyOf` for
unions and optionals, `enum`/`const` for Literals and Enums. Messages name the field by its path:
`total.amount_minor` for nested objects, `lines[]` for an array's items, `attrs{}` for a dict's values
and `(root)` for the document itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeGuard

Schema = dict[str, Any]

# Raising a lower bound or lowering an upper bound rejects payloads that used to be valid.
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")

_JSON_TYPES: tuple[tuple[type, str], ...] = (
    # bool before int: True is an int in Python but a boolean in JSON.
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
    (type(None), "null"),
)


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Human-readable breaking changes from `old` to `new` (empty list = compatible)."""
    problems = _Comparison(old_root=old, new_root=new).compare(old, new, "")
    # A shared definition reached through two union alternatives can report the same thing twice.
    return list(dict.fromkeys(problems))


@dataclass
class _Comparison:
    """One old-vs-new walk; each side's `$ref`s resolve against that side's own document."""

    old_root: Schema
    new_root: Schema
    # Pairs of nodes currently being compared further up the stack. A recursive model (a tree of
    # itself) would otherwise be walked forever; meeting a pair again means that comparison is
    # already under way, and whatever it finds is reported there.
    _active: set[tuple[str | int, str | int]] = field(default_factory=set)

    def compare(self, old: Schema, new: Schema, path: str) -> list[str]:
        key = (_identity(old), _identity(new))
        if key in self._active:
            return []
        self._active.add(key)
        try:
            old_alts = _alternatives(old, self.old_root, frozenset())
            new_alts = _alternatives(new, self.new_root, frozenset())
            if len(old_alts) == 1 and len(new_alts) == 1:
                return self._compare_single(old_alts[0].schema, new_alts[0].schema, path)
            return self._compare_unions(old_alts, new_alts, path)
        finally:
            self._active.discard(key)

    def _compare_unions(self, old_alts: list[_Alternative], new_alts: list[_Alternative], path: str) -> list[str]:
        """Every old alternative needs a counterpart in new, and every new one a counterpart in old."""
        if {alt.kind for alt in old_alts} != {alt.kind for alt in new_alts}:
            return [_type_changed(path, [alt.schema for alt in old_alts], [alt.schema for alt in new_alts])]
        problems: list[str] = []
        paired: set[int] = set()
        for old_alt in old_alts:
            index, found = self._best_counterpart(old_alt, new_alts, path)
            paired.add(index)
            problems.extend(found)
        for index, new_alt in enumerate(new_alts):
            if index not in paired and not self._has_clean_counterpart(new_alt, old_alts, path):
                problems.append(f"{_label(path)}: union gained alternative {_describe(new_alt.schema)}")
        return problems

    def _best_counterpart(
        self, old_alt: _Alternative, new_alts: list[_Alternative], path: str
    ) -> tuple[int, list[str]]:
        """The same-kind new alternative that differs least, so nested changes get reported precisely.

        Several alternatives can share a kind (a union of models are all objects); ties prefer the one
        with the same title, which is how pydantic names the model.
        """
        scored = [
            (len(found), alt.schema.get("title") != old_alt.schema.get("title"), index, found)
            for index, alt in enumerate(new_alts)
            if alt.kind == old_alt.kind
            for found in [self.compare(old_alt.node, alt.node, path)]
        ]
        _, _, index, found = min(scored, key=lambda entry: entry[:3])
        return index, found

    def _has_clean_counterpart(self, new_alt: _Alternative, old_alts: list[_Alternative], path: str) -> bool:
        return any(
            not self.compare(old_alt.node, new_alt.node, path) for old_alt in old_alts if old_alt.kind == new_alt.kind
        )

    def _compare_single(self, old: Schema, new: Schema, path: str) -> list[str]:
        """Two resolved, non-union schemas."""
        if _kind(old) != _kind(new):
            return [_type_changed(path, [old], [new])]
        problems = _enum_problems(old, new, path) + _constraint_problems(old, new, path)
        if _kind(old) == "object":
            problems += self._compare_objects(old, new, path)
        elif _kind(old) == "array":
            problems += self._compare_arrays(old, new, path)
        return problems

    def _compare_objects(self, old: Schema, new: Schema, path: str) -> list[str]:
        old_view, new_view = _ObjectView.of(old), _ObjectView.of(new)
        # Old order first so messages follow the committed schema; fields only in new come last.
        names = dict.fromkeys([*old_view.names(), *new_view.names()])
        problems: list[str] = []
        for name in names:
            problems += self._compare_property(name, old_view, new_view, _child(path, name))
        return problems + self._compare_additional(old, new, path)

    def _compare_property(self, name: str, old: _ObjectView, new: _ObjectView, path: str) -> list[str]:
        if not old.has(name):
            return [f"{path}: new required field"] if name in new.required else []
        if not new.has(name):
            return [f"{path}: removed"]
        problems: list[str] = []
        if name in new.required and name not in old.required:
            problems.append(f"{path}: became required")
        elif name in old.required and name not in new.required:
            problems.append(f"{path}: no longer required")
        if name in old.properties and name in new.properties:
            problems += self.compare(old.properties[name], new.properties[name], path)
        return problems

    def _compare_additional(self, old: Schema, new: Schema, path: str) -> list[str]:
        """Dict-like objects: the schema of their values (`additionalProperties`)."""
        old_extra = old.get("additionalProperties", True)
        new_extra = new.get("additionalProperties", True)
        if new_extra is False and old_extra is not False:
            return [f"{_label(path)}: additional properties no longer allowed"]
        if old_extra is False or not (isinstance(old_extra, dict) or isinstance(new_extra, dict)):
            # Allowing keys that were forbidden is like adding optional fields: compatible.
            return []
        return self.compare(_as_schema(old_extra), _as_schema(new_extra), f"{path}{{}}")

    def _compare_arrays(self, old: Schema, new: Schema, path: str) -> list[str]:
        problems: list[str] = []
        old_prefix: list[Schema] = old.get("prefixItems", [])
        new_prefix: list[Schema] = new.get("prefixItems", [])
        # Tuples (`prefixItems`): positions are part of the type.
        if len(old_prefix) != len(new_prefix):
            sizes = f"{len(old_prefix)} to {len(new_prefix)}"
            problems.append(f"{_label(path)}: tuple length changed from {sizes}")
        for position, (old_item, new_item) in enumerate(zip(old_prefix, new_prefix, strict=False)):
            problems += self.compare(old_item, new_item, f"{path}[{position}]")
        old_items, new_items = old.get("items"), new.get("items")
        if isinstance(old_items, dict) or isinstance(new_items, dict):
            # A missing `items` accepts anything, so it compares as the empty schema.
            problems += self.compare(_as_schema(old_items), _as_schema(new_items), f"{path}[]")
        return problems


@dataclass(frozen=True)
class _ObjectView:
    properties: dict[str, Schema]
    # A tuple, not a set, so messages come out in the schema's own order on every run.
    required: tuple[str, ...]

    @classmethod
    def of(cls, schema: Schema) -> _ObjectView:
        return cls(properties=schema.get("properties", {}), required=tuple(schema.get("required", ())))

    def names(self) -> list[str]:
        return [*self.properties, *self.required]

    def has(self, name: str) -> bool:
        return name in self.properties or name in self.required


def _identity(node: Schema) -> str | int:
    """What the recursion guard remembers: the `$ref` for a reference, else the node itself.

    Refs are what make a schema recursive, so pairs of refs are what repeat on a cycle; document
    nodes (such as an `anyOf` wrapping a ref) keep their object identity for the whole walk.
    """
    ref = node.get("$ref")
    return ref if isinstance(ref, str) else id(node)


def _resolve(node: Schema, root: Schema) -> Schema:
    """Follow `$ref`s (and pydantic's older single-item `allOf` wrapper) to the schema that applies.

    Keywords next to a `$ref` (description, default, constraints) apply at that use site, so they are
    laid over the definition.
    """
    seen: set[str] = set()
    while True:
        ref = node.get("$ref")
        all_of = node.get("allOf")
        if isinstance(ref, str):
            if ref in seen:
                raise ValueError(f"$ref cycle without any schema in between: {ref}")
            seen.add(ref)
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            node = {**_lookup(root, ref), **siblings}
        elif isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], dict):
            siblings = {key: value for key, value in node.items() if key != "allOf"}
            node = {**all_of[0], **siblings}
        else:
            return node


def _lookup(root: Schema, ref: str) -> Schema:
    """Resolve a local JSON pointer such as `#/$defs/Money` within `root`."""
    if not ref.startswith("#"):
        raise ValueError(f"only local $refs are supported, got {ref}")
    target: Any = root
    tokens = ref[1:].split("/")[1:] if ref != "#" else []
    for token in tokens:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and token in target:
            target = target[token]
        elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
            target = target[int(token)]
        else:
            raise ValueError(f"unresolvable $ref {ref}")
    if not isinstance(target, dict):
        raise ValueError(f"$ref {ref} does not point at a schema")
    return target


class _Alternative(NamedTuple):
    """One non-union schema a value may match."""

    # As written in the document: comparing through it keeps `$ref`s visible to the recursion guard.
    node: Schema
    # With `$ref`s followed: what its kind and keywords are read from.
    schema: Schema

    @property
    def kind(self) -> str:
        return _kind(self.schema)


def _alternatives(node: Schema, root: Schema, seen: frozenset[str]) -> list[_Alternative]:
    """The non-union schemas a value may match: `anyOf`/`oneOf` members (flattened) and `type` lists."""
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            # A union containing itself adds no alternatives; stop rather than loop.
            return []
        seen = seen | {ref}
    resolved = _resolve(node, root)
    members = resolved.get("anyOf", resolved.get("oneOf"))
    if isinstance(members, list):
        return [alt for member in members for alt in _alternatives(member, root, seen)]
    types = resolved.get("type")
    if isinstance(types, list):
        expanded = [{**resolved, "type": name} for name in types]
        return [_Alternative(node=schema, schema=schema) for schema in expanded]
    return [_Alternative(node=node, schema=resolved)]


def _kind(schema: Schema) -> str:
    """The JSON type a resolved schema accepts, with its format: what must match for compatibility."""
    declared = schema.get("type")
    kind = declared if isinstance(declared, str) else _inferred_type(schema)
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if isinstance(fmt, str) else kind


def _inferred_type(schema: Schema) -> str:
    """Older pydantic omits `type` on Literals; other schemas are recognised by their keywords."""
    values = _enum_values(schema)
    if values is not None:
        return " | ".join(sorted({_json_type(value) for value in values}))
    if any(key in schema for key in ("properties", "additionalProperties", "required")):
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return "any"


def _json_type(value: object) -> str:
    return next((name for python_type, name in _JSON_TYPES if isinstance(value, python_type)), "any")


def _describe(schema: Schema) -> str:
    """A kind for messages: models are named by their title, which the kind deliberately ignores."""
    title = schema.get("title")
    if _kind(schema) == "object" and "properties" in schema and isinstance(title, str):
        return title
    return _kind(schema)


def _type_changed(path: str, old_alts: list[Schema], new_alts: list[Schema]) -> str:
    def joined(alts: list[Schema]) -> str:
        return " | ".join(dict.fromkeys(_describe(alt) for alt in alts)) or "nothing"

    return f"{_label(path)}: type changed from {joined(old_alts)} to {joined(new_alts)}"


def _enum_values(schema: Schema) -> list[Any] | None:
    """Allowed values, or None when unrestricted; a `const` is a one-value enum."""
    if "const" in schema:
        return [schema["const"]]
    values = schema.get("enum")
    return list(values) if isinstance(values, list) else None


def _enum_problems(old: Schema, new: Schema, path: str) -> list[str]:
    old_values, new_values = _enum_values(old), _enum_values(new)
    if new_values is None:
        # Unrestricted (or newly unrestricted): nothing old becomes invalid.
        return []
    if old_values is None:
        return [f"{_label(path)}: restricted to enum values {new_values!r}"]
    # Only removals break: consumers quarantine values they do not know.
    removed = [value for value in old_values if value not in new_values]
    return [f"{_label(path)}: enum value {value!r} removed" for value in removed]


def _constraint_problems(old: Schema, new: Schema, path: str) -> list[str]:
    """Tightened validation keywords; loosened or removed ones are compatible."""
    label = _label(path)
    problems: list[str] = []
    for key in _LOWER_BOUNDS:
        problems += _bound_problem(label, key, old.get(key), new.get(key), tighter=lambda o, n: n > o)
    for key in _UPPER_BOUNDS:
        problems += _bound_problem(label, key, old.get(key), new.get(key), tighter=lambda o, n: n < o)
    old_pattern, new_pattern = old.get("pattern"), new.get("pattern")
    # Whether one regex accepts a subset of another is undecidable in general: any change counts.
    if new_pattern is not None and old_pattern is None:
        problems.append(f"{label}: pattern {new_pattern!r} added")
    elif new_pattern is not None and new_pattern != old_pattern:
        problems.append(f"{label}: pattern changed from {old_pattern!r} to {new_pattern!r}")
    old_step, new_step = old.get("multipleOf"), new.get("multipleOf")
    if new_step is not None and new_step != old_step:
        # Conservative: a changed step is only safe when it divides the old one, rare enough to ignore.
        problems.append(f"{label}: multipleOf changed from {old_step!r} to {new_step!r}")
    if new.get("uniqueItems") is True and old.get("uniqueItems") is not True:
        problems.append(f"{label}: items must now be unique")
    return problems


def _bound_problem(
    label: str, key: str, old: object, new: object, tighter: Callable[[float, float], bool]
) -> list[str]:
    if not _is_number(new):
        return []
    if not _is_number(old):
        return [f"{label}: {key} {new!r} added"]
    if tighter(old, new):
        return [f"{label}: {key} tightened from {old!r} to {new!r}"]
    return []


def _is_number(value: object) -> TypeGuard[float]:
    # Draft-4 style boolean `exclusiveMinimum` is not a bound value.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_schema(value: object) -> Schema:
    """`items`/`additionalProperties` may be a schema, a boolean or absent; non-schemas accept anything."""
    return value if isinstance(value, dict) else {}


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _label(path: str) -> str:
    return path or "(root)"

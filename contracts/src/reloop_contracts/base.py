"""Base classes for every contract model.

Producers forbid unknown fields (a typo must fail where it is made); consumers ignore them, so a
producer can add an optional field within a version without breaking anyone. Pydantic cannot
switch `extra` per call, so the models ignore extras and a validator rejects them unless the
caller validates with the lenient context, which is what consumers do.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, ValidationInfo, model_validator

LENIENT = "reloop.ignore_unknown_fields"
_LENIENT_CONTEXT = {LENIENT: True}


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware timestamp, normalised to UTC. Naive datetimes are rejected."""


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_fields_unless_lenient(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict) or (info.context or {}).get(LENIENT):
            return data
        known = _known_fields(cls)
        if known.issuperset(data):
            return data
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            raise ValueError(f"unknown field(s) for {cls.__name__}: {', '.join(unknown)}")
        return data


@functools.cache
def _known_fields(model: type[Contract]) -> frozenset[str]:
    fields = model.__pydantic_fields__
    return frozenset(fields) | frozenset(f.alias for f in fields.values() if f.alias)


class Event(Contract):
    """A fact that happened, named in the past tense. Subclasses set their type and version."""

    EVENT_TYPE: ClassVar[str] = ""
    SCHEMA_VERSION: ClassVar[int] = 1
    OCCURRED_AT: ClassVar[str | None] = None
    """Name of the payload field holding when the fact happened; the envelope's occurred_at copies it."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "EVENT_TYPE" not in cls.__dict__:
            cls.EVENT_TYPE = cls.__name__

    @classmethod
    def schema_id(cls) -> str:
        return f"{cls.EVENT_TYPE}.v{cls.SCHEMA_VERSION}"

    def occurred_at(self) -> datetime | None:
        value = getattr(self, self.OCCURRED_AT, None) if self.OCCURRED_AT else None
        return value if isinstance(value, datetime) else None


ContractT = TypeVar("ContractT", bound=Contract)


def parse_lenient(model: type[ContractT], data: Any) -> ContractT:
    """Validate data as a consumer does: unknown fields are ignored, everything else checked."""
    return model.model_validate(data, context=_LENIENT_CONTEXT)


def parse_lenient_json(model: type[ContractT], raw: bytes | str) -> ContractT:
    return model.model_validate_json(raw, context=_LENIENT_CONTEXT)


def utc_now() -> datetime:
    return datetime.now(UTC)


__all__ = [
    "LENIENT",
    "Contract",
    "ContractT",
    "Event",
    "UtcDatetime",
    "parse_lenient",
    "parse_lenient_json",
    "utc_now",
]

"""Base classes for every contract model.

Producers forbid unknown fields (a typo must fail where it is made); consumers ignore them, so a
producer can add an optional field within a version without breaking anyone. The models forbid
extras and consumers validate with `extra="ignore"` for the call: both checks run in pydantic's
core, with no Python called per model (a consumer decodes every event it reads this way).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware timestamp, normalised to UTC. Naive datetimes are rejected."""


def _open_to_additions(schema: dict[str, Any]) -> None:
    # The published schema is what consumers may rely on: they must accept fields added later
    # within a version, so it does not close the object the way producers' validation does.
    schema.pop("additionalProperties", None)


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, json_schema_extra=_open_to_additions)


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
    return model.model_validate(data, extra="ignore")


def parse_lenient_json(model: type[ContractT], raw: bytes | str) -> ContractT:
    return model.model_validate_json(raw, extra="ignore")


def utc_now() -> datetime:
    return datetime.now(UTC)


__all__ = [
    "Contract",
    "ContractT",
    "Event",
    "UtcDatetime",
    "parse_lenient",
    "parse_lenient_json",
    "utc_now",
]

"""CRM's tolerant readers stay a subset of the contracts, and read a contract event the same way."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

import pytest
import typing_extensions
from pydantic import BaseModel

from crm.adapters.readers import READERS, REGISTRY_FOR_CRM
from reloop_contracts import REGISTRY, Event, NonNegativeMoney, parse_lenient
from reloop_contracts.common import Consent, CustomerRef, SealedPersonalData
from reloop_contracts.sales import SaleLine, SaleRecorded


def _is_typed_dict(arg: object) -> bool:
    return isinstance(arg, type) and typing_extensions.is_typeddict(arg)


def _fields(part: type) -> dict[str, object]:
    if _is_typed_dict(part):
        return typing_extensions.get_type_hints(part)
    return {name: info.annotation for name, info in part.model_fields.items()}  # type: ignore[attr-defined]


def _parts(annotation: object) -> list[type]:
    """The models and typed dictionaries an annotation names (inside lists and optionals)."""
    found: list[type] = []
    for arg in typing.get_args(annotation) or (annotation,):
        if isinstance(arg, type) and (issubclass(arg, BaseModel) or _is_typed_dict(arg)):
            found.append(arg)
        else:
            found.extend(m for inner in typing.get_args(arg) for m in _parts(inner))
    return found


def _missing(reader: type, contract: type, path: str = "") -> list[str]:
    gaps = []
    theirs = _fields(contract)
    for name, annotation in _fields(reader).items():
        if name not in theirs:
            gaps.append(f"{path}{name}")
            continue
        for inner, their_inner in zip(_parts(annotation), _parts(theirs[name]), strict=True):
            gaps.extend(_missing(inner, their_inner, f"{path}{name}."))
    return gaps


@pytest.mark.parametrize("contract", list(READERS), ids=lambda c: c.__name__)
def test_a_reader_reads_only_fields_its_contract_declares(contract: type[Event]) -> None:
    assert _missing(READERS[contract], contract) == []


def test_every_event_of_a_read_topic_is_known_so_none_is_taken_for_poison() -> None:
    for topic in REGISTRY_FOR_CRM:
        declared = REGISTRY.topic(topic.name)
        assert [e.EVENT_TYPE for e in topic.events] == [e.EVENT_TYPE for e in declared.events]


def test_a_sale_reads_the_same_through_the_reader_as_through_the_contract() -> None:
    money = NonNegativeMoney(amount_minor=39900, currency="EUR")
    sale = SaleRecorded(
        sale_id="S-1",
        channel="own_shop",
        location_id="shop-1",
        market="FR",
        sold_at=datetime(2026, 5, 1, 10, tzinfo=UTC),
        lines=[SaleLine(line_id="1", kind="refurbished_device", sku="IPH13", unit_id="u1", unit_price=money)],
        total=money,
        customer=CustomerRef(
            customer_id="acc-1",
            subject_id="sub-1",
            personal=SealedPersonalData(key_id="sub-1", nonce="bm9uY2U=", ciphertext="Y2lwaGVy"),
            consent=Consent(marketing=True, captured_at=datetime(2026, 1, 1, tzinfo=UTC), captured_by="shop-1"),
        ),
    )
    read = parse_lenient(READERS[SaleRecorded], sale.model_dump(mode="json"))
    assert read.model_dump() == {
        k: v for k, v in sale.model_dump(exclude={"payments", "reservation_id", "pos_transaction_id"}).items()
    } | {"lines": [line.model_dump(include=set(SaleLine.model_fields)) for line in sale.lines]}

"""CRM's tolerant readers stay a subset of the contracts, and read a contract event the same way."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel

from crm.adapters.readers import READERS, REGISTRY_FOR_CRM
from reloop_contracts import REGISTRY, NonNegativeMoney, parse_lenient
from reloop_contracts.common import Consent, CustomerRef, SealedPersonalData
from reloop_contracts.sales import SaleLine, SaleRecorded


def _models(annotation: object) -> list[type[BaseModel]]:
    found = []
    for arg in typing.get_args(annotation) or (annotation,):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            found.append(arg)
        else:
            found.extend(m for inner in typing.get_args(arg) for m in _models(inner))
    return found


def _missing(reader: type[BaseModel], contract: type[BaseModel], path: str = "") -> list[str]:
    gaps = []
    for name, info in reader.model_fields.items():
        if name not in contract.model_fields:
            gaps.append(f"{path}{name}")
            continue
        for inner, theirs in zip(
            _models(info.annotation), _models(contract.model_fields[name].annotation), strict=False
        ):
            gaps.extend(_missing(inner, theirs, f"{path}{name}."))
    return gaps


@pytest.mark.parametrize("contract", list(READERS), ids=lambda c: c.__name__)
def test_a_reader_reads_only_fields_its_contract_declares(contract: type[BaseModel]) -> None:
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

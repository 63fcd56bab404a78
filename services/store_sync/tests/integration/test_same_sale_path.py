"""A shop's sale leaves store-sync exactly as an online sale leaves orders: a `SaleRecorded` v1
on `sales.transactions.v1`, keyed by sale id, the same shape; only the channel and location say
where it happened. Inventory applies both the same way."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from reloop_contracts import NonNegativeMoney, inventory, sales
from reloop_contracts.common import CustomerRef
from reloop_localstack.testing import (
    api,
    eventually,
    luhn_imei,
    outbox_drained,
    publish,
    read_topic,
    running,
    topic_name,
)
from services.store_sync.tests.support import (
    back_office,
    bearer,
    device_sale,
    operator,
    settings,
    shop,
    unique,
)
from store_sync.bootstrap import build

pytestmark = pytest.mark.connected


def _online_sale(sku: str, unit_id: str) -> sales.SaleRecorded:
    """A sale as orders publishes it (orders.adapters.translators): the order id, channel online."""
    price = NonNegativeMoney(amount_minor=45900, currency="EUR")
    return sales.SaleRecorded(
        sale_id="ORD-1",
        channel="online",
        location_id="WH-PARIS-1",
        market="FR",
        sold_at=datetime.now(UTC),
        lines=[sales.SaleLine(line_id="1", kind="refurbished_device", sku=sku, unit_id=unit_id, unit_price=price)],
        payments=[sales.PaymentLine(method="card", amount=price, reference="cap-1")],
        total=price,
        customer=CustomerRef(customer_id="acct-1"),
        reservation_id="ORD-1",
    )


def _shape(value: object) -> object:
    """The structure of a JSON payload: field names all the way down, values left out."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in sorted(value.items()) if v is not None}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return type(value).__name__


async def test_a_shop_sale_and_an_online_sale_of_the_same_sku_take_the_same_sale_recorded_path(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    sku, shop_id, partner_id, operator_id = "IPH13-128-BLK-EX", unique("PAR"), unique("TELCO"), unique("telco")
    imei = luhn_imei(int(datetime.now(UTC).timestamp()))
    partner_unit = unique("U")
    sold_at = datetime.now(UTC) - timedelta(minutes=5)
    async with running(runtime), api(app) as client:
        key = await shop(client, shop_id)
        await operator(client, operator_id, policy={"data_owner": "partner", "crm_sharing": "with_consent"})
        partner_key = await shop(client, partner_id, kind="partner_shop", operator_id=operator_id)
        await client.put(
            f"/operators/{operator_id}/sku-mappings/TLC-IPH13",
            json={"sku": sku, "kind": "refurbished_device"},
            headers=back_office(),
        )
        # Inventory received the unit: partner tills name it by IMEI, store-sync learns its unit id.
        received = inventory.UnitReceived(
            unit_id=partner_unit,
            sku=sku,
            identifier=inventory.DeviceIdentifier(kind="imei", value=imei),
            grade="excellent",
            location_id=partner_id,
            received_at=sold_at - timedelta(days=1),
        )
        await publish(env["KAFKA_BOOTSTRAP_SERVERS"], [received], producer="inventory")
        own = await client.post(
            f"/shops/{shop_id}/sales", json=device_sale("T-1", sold_at, sku, "U-1"), headers=bearer(key)
        )
        ticket = {
            "num_ticket": "P-1",
            "type": "VENTE",
            "horodatage": sold_at.isoformat(),
            "lignes": [{"code_article": "TLC-IPH13", "quantite": 1, "prix_unitaire_ttc": "459,00", "imei": imei}],
            "client": {"email": "ana@example.org", "optin_partage": "N"},
        }

        async def partner_sale_recorded() -> bool:
            answer = await client.post(
                f"/shops/{partner_id}/partner/tickets", json={"tickets": [ticket]}, headers=bearer(partner_key)
            )
            return answer.json()["outcomes"][0]["result"] in ("recorded", "duplicate")

        await eventually(partner_sale_recorded, message="the partner sale mapped once the unit was known")
        await outbox_drained(database_url)
    assert own.status_code == 201, own.text
    records = await read_topic(env["KAFKA_BOOTSTRAP_SERVERS"], topic_name(sales.TRANSACTIONS), expect=10_000, timeout=8)
    ours = {}
    for record in records:
        envelope = json.loads(record.value)
        if envelope["payload"].get("location_id") in (shop_id, partner_id):
            ours[envelope["payload"]["location_id"]] = (record, envelope)
    online = _online_sale(sku, "U-1").model_dump(mode="json")
    for location, channel in ((shop_id, "own_shop"), (partner_id, "partner_shop")):
        record, envelope = ours[location]
        headers = {k: v.decode() for k, v in record.headers}
        assert (headers["event-type"], headers["schema-version"]) == ("SaleRecorded", "1")
        assert (envelope["event_type"], envelope["schema_version"], envelope["producer"]) == (
            "SaleRecorded",
            1,
            "store-sync",
        )
        assert record.key.decode() == envelope["payload"]["sale_id"], "keyed by sale id, as online sales are"
        payload = envelope["payload"]
        assert payload["channel"] == channel
        assert set(payload) == set(online), "the same fields as an online sale"
        assert _shape(payload["lines"]) == _shape(online["lines"])
        assert sales.SaleRecorded.model_validate(payload).lines[0].sku == sku
    partner_sale = ours[partner_id][1]["payload"]
    assert partner_sale["lines"][0]["unit_id"] == partner_unit
    customer = partner_sale["customer"]
    assert customer["data_owner"] == "partner"
    assert customer["personal"] is None, "no consent to share: anonymous"
    assert customer["subject_id"] is None
    assert customer["consent"]["partner_sharing"] is False

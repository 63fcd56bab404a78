"""Bad input on the real stack: a 4xx naming the field at the HTTP edge, a dead letter with the
reason on the bus, and nothing half-applied either way. (The edge's answers are also proved on the
twin in `tests/unit/test_http_routes.py`.)"""

from __future__ import annotations

import uuid

import pytest

from inventory.bootstrap import build
from reloop_contracts import sales
from reloop_localstack.testing import (
    TEST_REGISTRY,
    api,
    eventually,
    luhn_imei,
    produce_raw,
    running,
    topic_name,
)
from reloop_shared.consumer.dead_letter_store import read_dead_letters
from reloop_shared.kafka import headers as h
from reloop_shared.messaging.codec import encode, envelope_for
from services.inventory.tests.support import (
    available_unit,
    device_sale,
    list_skus,
    location,
    new_sku,
    reader,
    settings,
    unit_status,
    writer,
)

pytestmark = pytest.mark.connected


async def test_a_unit_with_an_invalid_imei_or_an_unknown_sku_is_refused_naming_the_field(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url))
    sku = new_sku()
    async with running(runtime), api(app) as client:
        warehouse = await location(client, f"wh-{sku}", "warehouse")
        await list_skus(env["KAFKA_BOOTSTRAP_SERVERS"], client, [(sku, "refurbished_device", "good")])
        bad_check_digit = luhn_imei(42)[:-1] + str((int(luhn_imei(42)[-1]) + 1) % 10)
        refused = await client.post(
            "/units",
            json={"sku": sku, "identifier": {"kind": "imei", "value": bad_check_digit}, "location_id": warehouse},
            headers=writer(),
        )
        unknown = await client.post(
            "/units",
            json={"sku": "NOPE-1", "identifier": {"kind": "imei", "value": luhn_imei(43)}, "location_id": warehouse},
            headers=writer(),
        )
        missing = await client.post("/units", json={"sku": sku, "location_id": warehouse}, headers=writer())
        stock = (await client.get("/units", params={"sku": sku}, headers=reader())).json()["items"]
    assert refused.status_code == 422
    assert refused.json()["field"] == "identifier.value"
    assert "Luhn" in refused.json()["message"]
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "sku"
    assert missing.status_code == 422
    assert missing.json()["fields"][0]["field"] == "identifier"
    assert stock == [], "nothing was received"


async def test_a_write_without_a_token_or_with_a_read_token_is_refused_and_availability_is_public(
    env: dict[str, str], database_url: str
) -> None:
    """The real service trusts the issuer its settings name and guards its routes as on the twin."""
    runtime, app = build(settings(env, database_url))
    sku = new_sku()
    async with running(runtime), api(app) as client:
        warehouse = await location(client, f"wh-{sku}", "warehouse")
        body = {
            "sku": sku,
            "identifier": {"kind": "imei", "value": luhn_imei(uuid.uuid4().int % 10**12)},
            "location_id": warehouse,
        }
        anonymous = await client.post("/units", json=body)
        read_only = await client.post("/units", json=body, headers=reader())
        browsing = await client.get("/availability", params={"market": "FR"})
    assert (anonymous.status_code, anonymous.json()["field"]) == (401, "Authorization")
    assert (read_only.status_code, read_only.json()["scope"]) == (403, "inventory:write")
    assert browsing.status_code == 200


async def test_a_sale_no_contract_would_let_through_is_dead_lettered_with_the_reason_and_applies_nothing(
    env: dict[str, str], database_url: str
) -> None:
    """A negative price cannot even be built as a contract: a foreign producer sends raw JSON. (Sales
    that break inventory's rules are dead-lettered in `tests/messaging`, in memory and on the real stack.)"""
    runtime, app = build(settings(env, database_url))
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    sku, run = new_sku(), uuid.uuid4().hex[:6]
    async with running(runtime), api(app) as client:
        shop = await location(client, f"shop-{run}", "own_shop")
        await list_skus(bootstrap, client, [(sku, "refurbished_device", "good")])
        unit_id = await available_unit(client, sku, shop)
        negative = envelope_for(device_sale(f"neg-{run}", "own_shop", shop, sku, unit_id), producer="legacy-pos")
        raw = encode(negative).replace(b'"amount_minor":45900', b'"amount_minor":-45900')
        await produce_raw(bootstrap, topic_name(sales.TRANSACTIONS), [(f"neg-{run}".encode(), raw, {})])

        async def dead_lettered() -> bool:
            letters = await read_dead_letters(bootstrap, TEST_REGISTRY.same_topic(sales.TRANSACTIONS).dead_letter)
            return any(x.key == f"neg-{run}".encode() for x in letters)

        await eventually(dead_lettered, timeout=30, message="the sale was dead-lettered")
        letters = {
            x.key.decode(): x.headers
            for x in await read_dead_letters(bootstrap, TEST_REGISTRY.same_topic(sales.TRANSACTIONS).dead_letter)
            if x.key and run in x.key.decode()
        }
        status = await unit_status(client, unit_id)
        availability = (await client.get(f"/availability/{sku}")).json()
    assert "amount_minor" in letters[f"neg-{run}"][h.DLQ_REASON]
    assert status == "available", "nothing was half-applied"
    assert availability["total_available"] == 1

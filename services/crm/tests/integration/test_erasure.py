"""The right to be forgotten: every holder confirms, nothing personal is left, the topics go dark."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from crm.bootstrap import build
from crm.domain.matching import matching_hash, normalise_email
from reloop_contracts import Event
from reloop_contracts.privacy import ERASURE, PERSONAL_DATA_HOLDERS, ErasureCompleted, ErasureRequested
from reloop_contracts.sales import TRANSACTIONS, SaleRecorded
from reloop_localstack.testing import TEST_KEKS, api, eventually, every_row, read_events, running
from reloop_shared.personal_data import PersonalDataSealer, PostgresKeyStore
from services.crm.tests.support import (
    Run,
    consent,
    customer,
    eraser,
    key_store,
    new_id,
    personal_reader,
    profile_of,
    reader,
    rows,
    sale,
    settings,
    timeline_of,
    writer,
)

pytestmark = pytest.mark.connected


async def test_an_erasure_completes_across_every_holder_and_leaves_nothing_personal_nor_readable(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    account, shop_subject, online_subject = new_id("acc"), new_id("sub"), new_id("sub")
    email = f"{new_id('margaret')}@example.org"
    async with key_store(keyvault_url) as sealer:
        till = await sealer.seal(shop_subject, {"email": email, "phone": "+44 7700 900123", "name": "M. Hamilton"})
        web = await sealer.seal(online_subject, {"email": email, "delivery_postal_code": "69003"})
        pepper = await sealer.keys.pepper()
    shop_sale = sale(
        new_id("till"),
        "own_shop",
        "shop-1",
        who=customer(subject=shop_subject, sealed=till, given=consent(marketing=True)),
    )
    online_sale = sale(
        new_id("order"), "online", "wh-1", who=customer(account=account, subject=online_subject, sealed=web)
    )
    async with running(runtime), api(app) as client:
        await run.publish(shop_sale, online_sale)

        # The two sales travel on different partitions: if the online one lands first, its profile
        # is merged into the shop customer's when the shop sale follows.
        async def one_profile() -> bool:
            return await profile_of(client, account_id=account) == await profile_of(client, subject_id=shop_subject)

        await eventually(one_profile, message="both sales reached one profile")
        profile_id = await profile_of(client, account_id=account)
        await timeline_of(client, profile_id, entries=2)
        changed = await client.post(
            f"/profiles/{profile_id}/consents",
            json={"purpose": "marketing", "granted": False, "captured_by": "online"},
            headers=writer(),
        )
        assert changed.status_code == 201, changed.text

        asked = await client.post("/erasure-requests", json={"profile_id": profile_id}, headers=eraser())
        assert asked.status_code == 202, asked.text
        request_id = asked.json()["request_id"]

        def about_it(event: Event) -> bool:
            return bool(getattr(event, "request_id", None) == request_id)

        [request] = await read_events(run.bootstrap, run.topic(ERASURE), about_it, expect=1, registry=run.registry)
        assert isinstance(request, ErasureRequested)
        assert request.subject_ids == sorted([shop_subject, online_subject])
        assert request.customer_ids == [account]
        assert request.holders == list(PERSONAL_DATA_HOLDERS)

        async def status() -> dict[str, object]:
            answer: dict[str, object] = (await client.get(f"/erasure-requests/{request_id}", headers=eraser())).json()
            return answer

        async def crm_confirmed() -> bool:
            return (await status())["pending"] == ["orders", "store-sync"]

        await eventually(crm_confirmed, message="CRM erased its own data and confirmed")
        assert (await status())["status"] == "pending"
        now = datetime.now(UTC)
        await run.publish(
            *(
                ErasureCompleted(request_id=request_id, service=holder, records_erased=3, completed_at=now)
                for holder in ("orders", "store-sync")
            ),
            producer="holders",
        )

        async def complete() -> bool:
            return (await status())["status"] == "complete"

        await eventually(complete, message="every holder confirmed")
        assert (await status())["pending"] == []
        assert (await client.get(f"/profiles/{profile_id}", headers=reader())).status_code == 404
        assert (
            await client.get("/profiles", params={"account_id": account}, headers=personal_reader())
        ).status_code == 404

    # The audit of personal data outlives the erasure by design: it holds the pseudonymous profile id
    # and what was done, nothing of the person. Everything else forgot the profile id too.
    audit = [r["row"] for r in await rows(database_url, "SELECT t::text AS row FROM personal_data_audit t")]
    assert any(str(profile_id) in row for row in audit)
    everything = await every_row(database_url)
    for row in audit:
        everything = everything.replace(row, "")
    hashes = [matching_hash(pepper, "email", normalise_email(email)), str(profile_id)]
    for personal in (account, shop_subject, online_subject, email, till.ciphertext, web.ciphertext, *hashes):
        assert personal not in everything
        assert all(personal not in row for row in audit) or personal == str(profile_id)
    [online_fact] = await rows(database_url, "SELECT catchment FROM sale_facts WHERE sale_id = $1", online_sale.sale_id)
    assert online_fact["catchment"] is None  # the analytics keep the sale, not where its buyer lives

    # The events already on the topics can no longer be opened, by anyone.
    def the_sales(event: Event) -> bool:
        return isinstance(event, SaleRecorded) and event.sale_id in (shop_sale.sale_id, online_sale.sale_id)

    published = await read_events(run.bootstrap, run.topic(TRANSACTIONS), the_sales, expect=2, registry=run.registry)
    keys = await PostgresKeyStore.connect(keyvault_url, TEST_KEKS)
    try:
        for event in published:
            assert isinstance(event, SaleRecorded)
            assert event.customer
            assert event.customer.personal
            assert await PersonalDataSealer(keys).open(event.customer.personal) is None
    finally:
        await keys.close()

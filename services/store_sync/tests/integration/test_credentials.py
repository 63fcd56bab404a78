"""A shop acts only for itself: its key on another shop's path is a 403 (and logged); a missing,
unknown or revoked key is a 401. Nothing is recorded either way. The back office is a staff token
holding `store-sync:admin`: it reads any shop but never records a shop's sale, a token without the
scope is a 403 naming it, and a shop's key never acts as the back office."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from reloop_localstack.testing import api, running, staff_headers
from services.store_sync.tests.support import accessory_sale, back_office, bearer, settings, shop, unique
from store_sync.bootstrap import build

pytestmark = pytest.mark.connected


async def test_shop_as_credentials_cannot_post_for_shop_b_and_missing_or_bad_credentials_get_401(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]], caplog: pytest.LogCaptureFixture
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    shop_a, shop_b = unique("A"), unique("B")
    sale = {"transactions": [accessory_sale("T-1", datetime.now(UTC))]}
    async with running(runtime), api(app) as client:
        key_a = await shop(client, shop_a)
        key_b = await shop(client, shop_b)
        # The runtime owns the root logger (JSON to stderr): listen on the guard's own logger.
        guard_log = logging.getLogger("store_sync.entrypoints.auth")
        guard_log.addHandler(caplog.handler)
        try:
            as_other_shop = await client.post(f"/shops/{shop_b}/transactions", json=sale, headers=bearer(key_a))
            count_for_b = await client.post(
                f"/shops/{shop_b}/stock-counts",
                json={"client_txn_id": "C-1", "occurred_at": datetime.now(UTC).isoformat(), "accessories": []},
                headers={"X-Api-Key": key_a},
            )
            feed_of_b = await client.get(f"/shops/{shop_b}/feed", headers=bearer(key_a))
        finally:
            guard_log.removeHandler(caplog.handler)
        missing = await client.post(f"/shops/{shop_b}/transactions", json=sale)
        malformed = await client.post(f"/shops/{shop_b}/transactions", json=sale, headers=bearer("not-a-key"))
        forged = await client.post(f"/shops/{shop_b}/transactions", json=sale, headers=bearer(key_b[:-4] + "AAAA"))
        back_office_cannot_sell = await client.post(f"/shops/{shop_b}/transactions", json=sale, headers=back_office())
        key_id = key_b.split("_")[1]
        revoked = await client.delete(f"/shops/{shop_b}/api-keys/{key_id}", headers=back_office())
        after_revoke = await client.post(f"/shops/{shop_b}/transactions", json=sale, headers=bearer(key_b))
        shop_key_on_admin = [
            await client.post("/shops", json={}, headers=headers) for headers in (bearer(key_a), {"X-Api-Key": key_a})
        ]
        own = await client.post(f"/shops/{shop_a}/transactions", json=sale, headers=bearer(key_a))
    assert [as_other_shop.status_code, count_for_b.status_code, feed_of_b.status_code] == [403, 403, 403]
    assert as_other_shop.json()["field"] == "shop_id"
    refusals = [r for r in caplog.records if "another shop" in r.getMessage()]
    assert len(refusals) == 3
    assert {getattr(r, "caller_shop", None) for r in refusals} == {shop_a}
    assert key_a not in caplog.text, "the key itself is never logged"
    assert [missing.status_code, malformed.status_code, forged.status_code] == [401, 401, 401]
    assert back_office_cannot_sell.status_code == 401, "the back office cannot record a shop's sale"
    assert revoked.status_code == 204
    assert after_revoke.status_code == 401
    assert [(a.status_code, a.json()["field"]) for a in shop_key_on_admin] == [(401, "Authorization")] * 2
    assert own.status_code == 200
    assert own.json()["recorded"] == 1, "shop A's own transaction T-1 was not recorded by the refused attempts"


async def test_the_back_office_reads_any_shop_with_store_sync_admin_and_a_token_without_it_is_a_403_naming_it(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    shop_id = unique("S")
    async with running(runtime), api(app) as client:
        refused_registration = await client.post(
            "/shops",
            json={"shop_id": shop_id, "name": shop_id, "kind": "own_shop", "market": "FR", "timezone": "Europe/Paris"},
            headers=staff_headers("catalog:write", "inventory:write"),
        )
        not_registered = await client.get(f"/shops/{shop_id}", headers=back_office())
        await shop(client, shop_id)
        shown = await client.get(f"/shops/{shop_id}", headers=back_office())
        feed = await client.get(f"/shops/{shop_id}/feed", headers=back_office())
        without_scope = await client.get(f"/shops/{shop_id}", headers=staff_headers("crm:read"))
        unsigned = await client.get(f"/shops/{shop_id}", headers={"Authorization": "Bearer x.y.z"})
    assert (refused_registration.status_code, refused_registration.json()["scope"]) == (403, "store-sync:admin")
    assert not_registered.status_code == 404, "the refused registration registered nothing"
    assert (shown.status_code, shown.json()["shop_id"]) == (200, shop_id)
    assert feed.status_code == 200, feed.text
    assert (without_scope.status_code, without_scope.json()["field"], without_scope.json()["scope"]) == (
        403,
        "scope",
        "store-sync:admin",
    )
    assert (unsigned.status_code, unsigned.json()["field"]) == (401, "Authorization")

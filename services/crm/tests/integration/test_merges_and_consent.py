"""Merges with an audit trail, un-merges that restore both profiles, consent with its history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from crm.bootstrap import build
from reloop_localstack.testing import api, eventually, running
from services.crm.tests.support import (
    Run,
    consent,
    customer,
    key_store,
    merger,
    new_id,
    personal_reader,
    profile_of,
    reader,
    sale,
    settings,
    timeline_of,
    writer,
)

pytestmark = pytest.mark.connected


async def test_an_automatic_merge_is_audited_and_undoing_it_restores_both_profiles_for_good(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    shop_subject, account, online_subject, third = new_id("sub"), new_id("acc"), new_id("sub"), new_id("sub")
    email, phone = f"{new_id('e')}@example.org", "+33 6 99 88 77 66"
    async with key_store(keyvault_url) as sealer:
        by_email = await sealer.seal(shop_subject, {"email": email})
        by_phone = await sealer.seal(online_subject, {"phone": phone})
        both = await sealer.seal(third, {"email": email, "phone": phone})
        both_again = await sealer.seal(third, {"email": email, "phone": phone})
    earlier = datetime.now(UTC) - timedelta(days=3)
    async with running(runtime), api(app) as client:
        await run.publish(
            sale(new_id("till"), "own_shop", "shop-1", who=customer(subject=shop_subject, sealed=by_email), at=earlier),
            sale(
                new_id("order"),
                "online",
                "wh-1",
                who=customer(account=account, subject=online_subject, sealed=by_phone),
            ),
        )
        shop_profile = await profile_of(client, subject_id=shop_subject)
        online_profile = await profile_of(client, account_id=account)
        assert shop_profile != online_profile
        await run.publish(sale(new_id("till"), "own_shop", "shop-2", who=customer(subject=third, sealed=both)))

        async def merged() -> bool:
            return await profile_of(client, account_id=account) == shop_profile

        await eventually(merged, message="a sale with the e-mail of one and the phone of the other merged them")
        view = await timeline_of(client, shop_profile, entries=3)
        [merge] = view["merges"]
        assert merge["automatic"]
        assert merge["merged_by"] == "matching"
        assert merge["profile_id"] == shop_profile
        assert merge["merged_profile_id"] == online_profile
        assert "email" in merge["reason"]
        assert "phone" in merge["reason"]
        gone = await client.get(f"/profiles/{online_profile}", headers=reader())
        assert gone.status_code == 404
        assert shop_profile in gone.json()["message"]

        undone = await client.post(
            f"/merges/{merge['merge_id']}/undo",
            json={"reason": "two people", "requested_by": "agent-7"},
            headers=merger(),
        )
        assert undone.status_code == 200, undone.text
        assert sorted(undone.json()["profile_ids"]) == sorted([shop_profile, online_profile])
        assert await profile_of(client, account_id=account) == online_profile
        audit = (await client.get(f"/merges/{merge['merge_id']}", headers=merger())).json()
        assert audit["unmerged_by"] == "agent-7"
        assert audit["unmerge_reason"] == "two people"

        # The same evidence again does not merge them back: the un-merge said they are two people.
        await run.publish(sale(new_id("till"), "own_shop", "shop-2", who=customer(subject=third, sealed=both_again)))
        await timeline_of(client, (await profile_of(client, subject_id=third)), entries=2)
        assert await profile_of(client, account_id=account) == online_profile
        assert await profile_of(client, subject_id=shop_subject) != online_profile


async def test_an_operator_merge_keeps_the_older_profile_and_refuses_what_was_unmerged(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    older, newer = new_id("sub"), new_id("acc")
    async with running(runtime), api(app) as client:
        await run.publish(
            sale(
                new_id("till"), "own_shop", "shop-1", who=customer(subject=older), at=datetime.now(UTC) - timedelta(1)
            ),
            sale(new_id("order"), "online", "wh-1", who=customer(account=newer)),
        )
        first, second = await profile_of(client, subject_id=older), await profile_of(client, account_id=newer)
        body = {"profile_id": second, "other_profile_id": first, "reason": "same person", "requested_by": "agent-1"}
        merged = await client.post("/merges", json=body, headers=merger())
        assert merged.status_code == 201, merged.text
        assert merged.json()["profile_id"] == first
        assert await profile_of(client, account_id=newer) == first
        merge_id = merged.json()["merge_id"]
        undo = {"reason": "typo", "requested_by": "agent-1"}
        assert (await client.post(f"/merges/{merge_id}/undo", json=undo, headers=merger())).status_code == 200
        assert (await client.post(f"/merges/{merge_id}/undo", json=undo, headers=merger())).status_code == 409
        again = await client.post("/merges", json=body, headers=merger())
        assert again.status_code == 409
        assert again.json()["field"] == "other_profile_id"
        assert (
            await client.post("/merges", json={**body, "other_profile_id": second}, headers=merger())
        ).status_code == 409
        missing = {**body, "other_profile_id": "00000000-0000-4000-8000-000000000000"}
        assert (await client.post("/merges", json=missing, headers=merger())).status_code == 404


async def test_consent_changes_keep_their_history_and_show_who_may_use_each_record(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    subject = new_id("sub")
    async with key_store(keyvault_url) as sealer:
        sealed = await sealer.seal(subject, {"email": "ines@example.org", "name": "Ines"})
    at_the_till = consent(marketing=True, sharing=True, by="partner-lyon-7", at=datetime.now(UTC) - timedelta(days=2))
    async with running(runtime), api(app) as client:
        await run.publish(
            sale(
                new_id("till"),
                "partner_shop",
                "partner-lyon-7",
                who=customer(subject=subject, sealed=sealed, owner="partner", given=at_the_till),
            )
        )
        profile_id = await profile_of(client, subject_id=subject)
        view = (await client.get(f"/profiles/{profile_id}", headers=personal_reader())).json()
        assert view["consents"]["marketing"]["granted"] is True
        assert view["consents"]["transactional"]["granted"] is True  # the purchase is the basis
        [usage] = view["usage"]
        assert usage["owner"] == "partner"
        assert usage["may_use"] == ["partner", "reloop"]
        assert "agreed to sharing" in usage["why"]
        assert view["personal_data"][0]["fields"] == {"email": "ines@example.org", "name": "Ines"}

        for purpose in ("marketing", "partner_sharing"):
            changed = await client.post(
                f"/profiles/{profile_id}/consents",
                json={"purpose": purpose, "granted": False, "captured_by": "customer_service"},
                headers=writer(),
            )
            assert changed.status_code == 201, changed.text
        view = (await client.get(f"/profiles/{profile_id}", headers=personal_reader())).json()
        bad = await client.post(
            f"/profiles/{profile_id}/consents", json={"purpose": "spam", "granted": True}, headers=writer()
        )

    assert bad.status_code == 422
    assert view["consents"]["marketing"]["granted"] is False
    assert view["consents"]["marketing"]["captured_by"] == "customer_service"
    assert [h.get("marketing") for h in view["consent_history"]] == [True, False, None]
    [usage] = view["usage"]
    assert usage["may_use"] == ["partner"]
    assert "withdrawn" in usage["why"]
    assert view["personal_data"][0]["fields"] is None  # reloop may no longer read the partner's record

"""Staff without `crm:read-personal` see a profile with its sealed fields redacted; the service
trusts only its issuer's tokens, and answers no one without one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from crm.bootstrap import build
from reloop_localstack.testing import api, running
from services.crm.tests.support import (
    Run,
    customer,
    key_store,
    new_id,
    personal_reader,
    profile_of,
    reader,
    sale,
    settings,
    timeline_of,
)

pytestmark = pytest.mark.connected


async def test_the_360_view_shows_contact_details_only_to_staff_holding_crm_read_personal(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    account, subject = new_id("acc"), new_id("sub")
    details = {
        "email": f"{new_id('ada')}@example.org",
        "phone": "+33 6 55 44 33 22",
        "name": "Ada Byron-King",
        "delivery_postal_code": "75011",
    }
    async with key_store(keyvault_url) as sealer:
        sealed = await sealer.seal(subject, details)
    bought = sale(new_id("order"), "online", "wh-1", who=customer(account=account, subject=subject, sealed=sealed))
    async with running(runtime), api(app) as client:
        await run.publish(bought, producer="orders")
        profile_id = await profile_of(client, account_id=account)
        await timeline_of(client, profile_id, entries=1)
        shown_to_customer_service = await client.get(f"/profiles/{profile_id}", headers=personal_reader())
        redacted = await client.get(f"/profiles/{profile_id}", headers=reader())
        by_email = await client.get("/profiles", params={"email": details["email"]}, headers=reader())
        anonymous = await client.get(f"/profiles/{profile_id}")
        analyst = await client.get("/analytics/channels", headers=reader())

    opened = shown_to_customer_service.json()
    assert opened["personal_data_redacted"] is False
    [shown] = opened["personal_data"]
    assert shown["fields"] == details

    assert redacted.status_code == 200, redacted.text
    view = redacted.json()
    assert view["personal_data_redacted"] is True
    [hidden] = view["personal_data"]
    assert hidden["fields"] is None
    assert (hidden["subject_id"], hidden["usable_by_reloop"]) == (subject, True)
    for value in details.values():
        assert value.lower() not in redacted.text.lower()
    # Everything but the opened fields is the same view.
    assert {k: v for k, v in view.items() if k not in ("personal_data", "personal_data_redacted")} == {
        k: v for k, v in opened.items() if k not in ("personal_data", "personal_data_redacted")
    }

    assert (by_email.status_code, by_email.json()["scope"]) == (403, "crm:read-personal")
    assert (anonymous.status_code, anonymous.json()["field"]) == (401, "Authorization")
    assert analyst.status_code == 200

"""No personal data in telemetry (issue 19): a customer buys in a shop and online, giving their
e-mail, phone and name, and customer care looks them up by e-mail and phone and opens their 360 view;
with every service running for real, a span per SQL statement and every log line kept down to DEBUG,
none of those details is in any span (name, attributes, events, links, status, resource) nor in any
log line (message, arguments, extra fields, exception), however it is written."""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote_plus

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from reloop_localstack.testing import eventually
from reloop_shared.telemetry.logs import JsonFormatter
from reloop_shared.telemetry.tracing import spans_recorded_into
from tests.e2e.system import (
    System,
    buy_online,
    list_device,
    location,
    ok,
    register_shop,
    sell_in_shop,
    stock_unit,
    system,
)

pytestmark = pytest.mark.connected

PURPOSE = {"X-Purpose": "support-ticket"}
"""Why customer care opens a person's data (CRM's personal-data routes ask for it)."""


class _Lines(logging.Handler):
    """Every record, as the services' own JSON formatter writes it: message with its arguments,
    every `extra` field, the exception and its traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(JsonFormatter("telemetry-test"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{self.format(record)} args={record.args!r}")


@contextmanager
def _every_log_line() -> Iterator[list[str]]:
    """Every log record of the process down to DEBUG while the block runs. Added after the services
    started: each runtime's start replaces the root logger's handlers with its own."""
    root, handler = logging.getLogger(), _Lines()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _a_customer() -> dict[str, Any]:
    """A person no other test uses, with a phone written as people write it."""
    digits = f"6{secrets.randbelow(10**8):08d}"
    spaced = " ".join([digits[0], *(digits[i : i + 2] for i in range(1, 9, 2))])
    return {
        "email": f"ines.{uuid.uuid4().hex[:8]}@example.org",
        "phone": f"+33 {spaced}",
        "name": f"Ines Okonkwo-{uuid.uuid4().hex[:6].capitalize()}",
        "forms": {
            # Each way the same phone may be written down by a service: as given, E.164, the digits
            # CRM matches on, and the national form the storefront takes.
            "phone as given": f"+33 {spaced}",
            "phone in E.164": f"+33{digits}",
            "phone, digits only": f"33{digits}",
            "phone, national": f"0{digits}",
            "phone, national as given": f"0{spaced}",
        },
    }


def _compact(text: str) -> str:
    """Without case, spaces and the signs people write phones with: `+33 6 12-34` is `33612 34`."""
    return re.sub(r"[\s+().-]", "", text.lower())


def _found_in(text: str, personal: dict[str, str]) -> list[str]:
    """Which of `personal` `text` holds, as written or however spaced, cased or URL-encoded (a URL
    writes `+33 6 12` as `%2B33+6+12`, and a tracer may decode that to `+33+6+12`)."""
    plain, compact = text.lower(), _compact(unquote_plus(text))
    return [what for what, value in personal.items() if value.lower() in plain or _compact(value) in compact]


async def _lookup(s: System, **query: str) -> str:
    found: dict[str, str] = {}

    async def one_profile() -> bool:
        answer = await s.crm.get("/profiles", params=query, headers=PURPOSE)
        found.update(answer.json() if answer.status_code == 200 else {})
        return answer.status_code == 200

    await eventually(one_profile, timeout=60, message=f"CRM found the profile by {sorted(query)}")
    return found["profile_id"]


async def test_a_customers_email_phone_and_name_are_in_no_span_and_no_log_line(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    person = _a_customer()
    sku = f"IPH13-128-MID-EX-{uuid.uuid4().hex[:6].upper()}"
    exported = InMemorySpanExporter()
    async with system(env, new_database, trace_sql=True) as s:
        with spans_recorded_into(SimpleSpanProcessor(exported)), _every_log_line() as lines:
            warehouse = await location(s, f"wh-{sku}", "warehouse")
            shop = f"shop-{sku.lower()}"
            till_key = await register_shop(s, shop)
            await list_device(s, sku, 45900)
            online_unit = await stock_unit(s, sku, warehouse)
            shop_unit = await stock_unit(s, sku, shop)

            till = {"email": person["email"], "phone": person["phone"], "name": person["name"]}
            await sell_in_shop(s, shop, till_key, sku, shop_unit, 45900, customer=till)
            storefront = {
                "email": person["email"],
                "phone": person["forms"]["phone, national as given"],
                "name": person["name"],
                "delivery_postal_code": "75011",
            }
            order = await buy_online(s, sku, f"acct-{uuid.uuid4().hex[:10]}", contact=storefront)
            assert order["lines"][0]["unit_id"] == online_unit

            by_email = await _lookup(s, email=person["email"])
            by_phone = await _lookup(s, phone=person["phone"])
            view: dict[str, Any] = {}

            async def both_purchases() -> bool:
                # The two sales reach CRM on two topics, so the shop sale may be applied first.
                view.update(await ok(s.crm.get(f"/profiles/{by_email}", headers=PURPOSE)))
                return {e["channel"] for e in view["timeline"] if e["kind"] == "purchase"} >= {"online", "own_shop"}

            await eventually(both_purchases, timeout=60, message="CRM shows the shop sale and the online sale")
            # A line a service is known to log, with extra fields: proof that the capture hears them.
            elsewhere = await s.store_sync.get(f"/shops/not-{shop}/feed", headers={"X-Api-Key": till_key})
        spans = exported.get_finished_spans()

    # What the telemetry is searched for was really there to leak: one profile, opened in full.
    assert by_phone == by_email
    assert {e["channel"] for e in view["timeline"] if e["kind"] == "purchase"} == {"online", "own_shop"}
    assert person["email"] in str(view)
    assert person["name"] in str(view)
    assert len(spans) > 100
    assert any(s.attributes and "db.statement" in s.attributes for s in spans), "a span per SQL statement"
    assert any("/profiles" in s.name for s in spans), "CRM's look-ups were traced"
    assert elsewhere.status_code == 403
    assert any('"caller_shop": "' + shop in line for line in lines), "store-sync's refusal was logged"

    personal = {"e-mail": person["email"], "name": person["name"], **person["forms"]}
    leaks = [
        f"{what} in span {span.name!r}" for span in spans for what in _found_in(span.to_json(indent=None), personal)
    ] + [f"{what} in log line {line[:300]}" for line in lines for what in _found_in(line, personal)]
    assert leaks == []

"""The catalog's HTTP API, each test run twice: on the in-memory twin, and (marked `connected`) on a
real PostgreSQL and Kafka. Writes publish events; bad input gets a 4xx naming the field and
changes nothing. Admin writes need a staff token holding `catalog:write`; the reads need none."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest

from catalog.bootstrap import build
from catalog.config import CatalogSettings
from reloop_contracts import Event, TopicSpec
from reloop_contracts import catalog as contract
from reloop_localstack.testing import api, customer_headers, read_events, running, service_settings, staff_headers
from reloop_shared.clock import FixedClock
from services.catalog.tests.fakes import CatalogTwin


class RunningCatalog:
    """The catalog under test: its HTTP client, and what it published."""

    def __init__(self, client: httpx.AsyncClient, twin: CatalogTwin | None, bootstrap: str | None) -> None:
        self.client = client
        self._twin = twin
        self._bootstrap = bootstrap

    async def published(self, topic: TopicSpec, about: Callable[[Event], bool], expect: int) -> list[Event]:
        """What the catalog published on `topic` that is `about` something: on the twin, its outbox;
        on the real stack, Kafka (waiting for `expect` events)."""
        if self._twin is not None:
            return [row.event for row in self._twin.store.outbox if topic.carries(type(row.event)) and about(row.event)]
        assert self._bootstrap is not None
        return await read_events(self._bootstrap, topic, about, expect=expect)


def _settings(env: dict[str, str], database_url: str) -> CatalogSettings:
    return service_settings(CatalogSettings, env, database_url)


@pytest.fixture(params=["twin", pytest.param("postgres", marks=pytest.mark.connected)])
def stack(request: pytest.FixtureRequest) -> tuple[dict[str, str], str] | None:
    """Where the catalog runs: nowhere but memory (None), or the session's Kafka and a new database.
    Synchronous, so it may ask for the real stack's async fixtures only when it needs them."""
    if request.param == "twin":
        return None
    return request.getfixturevalue("env"), request.getfixturevalue("database_url")


@pytest.fixture
async def catalog(stack: tuple[dict[str, str], str] | None) -> AsyncIterator[RunningCatalog]:
    if stack is None:
        twin = CatalogTwin(FixedClock(datetime(2026, 11, 1, 9, tzinfo=UTC)))
        async with twin.client() as client:
            yield RunningCatalog(client, twin, None)
        return
    env, database_url = stack
    runtime, app = build(_settings(env, database_url))
    async with running(runtime), api(app) as client:
        yield RunningCatalog(client, None, env["KAFKA_BOOTSTRAP_SERVERS"])


def _admin() -> dict[str, str]:
    """A catalog manager's Authorization header (issued per call: a token lives an hour at most)."""
    return staff_headers("catalog:write")


def _product_of(sku: str) -> str:
    return f"iphone-13-{sku}"


def _new_sku() -> str:
    # Unique per test: the real stack's topics are shared by every test of the session.
    return f"IPH13-{uuid.uuid4().hex[:6].upper()}"


async def _seed(client: httpx.AsyncClient, sku: str) -> None:
    product_id = _product_of(sku)
    response = await client.post(
        "/admin/products",
        json={"product_id": product_id, "brand": "Apple", "model": "iPhone 13", "category": "smartphone"},
        headers=_admin(),
    )
    assert response.status_code == 201, response.text
    response = await client.post(
        "/admin/skus",
        json={
            "sku": sku,
            "product_id": product_id,
            "kind": "refurbished_device",
            "title": f"iPhone 13 128GB black, excellent ({sku})",
            "grade": "excellent",
            "storage_gb": 128,
            "colour": "black",
        },
        headers=_admin(),
    )
    assert response.status_code == 201, response.text


async def test_listing_and_pricing_a_sku_publishes_its_events_and_it_can_be_searched(catalog: RunningCatalog) -> None:
    client, sku = catalog.client, _new_sku()
    await _seed(client, sku)
    priced = await client.put(
        f"/admin/skus/{sku}/prices/FR", json={"amount_minor": 45900, "currency": "EUR"}, headers=_admin()
    )
    assert priced.status_code == 200, priced.text
    assert priced.json()["prices"]["FR"] == {"amount_minor": 45900, "currency": "EUR"}
    await client.put(f"/admin/skus/{sku}/prices/US", json={"amount_minor": 49900, "currency": "USD"}, headers=_admin())
    found = await client.get(
        "/skus", params={"market": "FR", "category": "smartphone", "grade": "excellent", "max_price": 50000}
    )
    assert sku in [item["sku"] for item in found.json()["items"]]
    too_expensive = await client.get("/skus", params={"market": "FR", "max_price": 40000, "model": "iPhone"})
    assert sku not in [item["sku"] for item in too_expensive.json()["items"]]

    def about_this_sku(event: Event) -> bool:
        return getattr(event, "sku", None) == sku

    published = await catalog.published(contract.SKUS, about_this_sku, 3)
    assert [type(e).__name__ for e in published] == ["SkuListed", "SkuPriced", "SkuPriced"]
    assert isinstance(published[1], contract.SkuPriced)
    assert published[1].price.amount_minor == 45900


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_minor": -100, "currency": "EUR"}, "amount_minor"),
        ({"amount_minor": 100, "currency": "USD"}, "currency"),
        ({"amount_minor": 1.5, "currency": "EUR"}, "amount_minor"),
        ({"amount_minor": 100, "currency": "EUR", "vat": 20}, "vat"),
    ],
    ids=["negative price", "wrong currency for the market", "float price", "unknown field"],
)
async def test_a_bad_price_gets_a_422_naming_the_field_and_changes_nothing(
    catalog: RunningCatalog, body: dict[str, object], field: str
) -> None:
    sku = _new_sku()
    await _seed(catalog.client, sku)
    response = await catalog.client.put(f"/admin/skus/{sku}/prices/FR", json=body, headers=_admin())
    assert response.status_code == 422, response.text
    assert field in [f["field"] for f in response.json()["fields"]]
    unchanged = await catalog.client.get(f"/skus/{sku}")
    assert unchanged.json()["prices"] == {}


async def test_an_unknown_sku_gets_a_404_naming_the_sku(catalog: RunningCatalog) -> None:
    response = await catalog.client.put(
        "/admin/skus/NOPE-1/prices/FR", json={"amount_minor": 100, "currency": "EUR"}, headers=_admin()
    )
    assert response.status_code == 404
    assert response.json()["field"] == "sku"


async def test_listing_a_sku_twice_gets_a_409_naming_the_sku(catalog: RunningCatalog) -> None:
    sku = _new_sku()
    await _seed(catalog.client, sku)
    again = {"sku": sku, "product_id": _product_of(sku), "kind": "accessory", "title": "the same code"}
    response = await catalog.client.post("/admin/skus", json=again, headers=_admin())
    assert response.status_code == 409, response.text
    assert (response.json()["error"], response.json()["field"]) == ("AlreadyExists", "sku")


async def test_a_sku_of_an_unknown_product_gets_a_404_naming_the_product(catalog: RunningCatalog) -> None:
    orphan = {"sku": _new_sku(), "product_id": "no-such-product", "kind": "accessory", "title": "Charger"}
    response = await catalog.client.post("/admin/skus", json=orphan, headers=_admin())
    assert response.status_code == 404, response.text
    assert response.json()["field"] == "product_id"


async def test_a_discontinued_sku_leaves_the_search_and_cannot_be_repriced(catalog: RunningCatalog) -> None:
    client, sku = catalog.client, _new_sku()
    await _seed(client, sku)
    discontinued = await client.post(
        f"/admin/skus/{sku}/discontinue", json={"reason": "model end of life"}, headers=_admin()
    )
    assert discontinued.status_code == 200, discontinued.text
    assert discontinued.json()["discontinued"] is True
    searched = await client.get("/skus", params={"q": sku})
    assert searched.json()["items"] == []
    with_discontinued = await client.get("/skus", params={"q": sku, "include_discontinued": True})
    assert [item["sku"] for item in with_discontinued.json()["items"]] == [sku]
    repriced = await client.put(
        f"/admin/skus/{sku}/prices/FR", json={"amount_minor": 100, "currency": "EUR"}, headers=_admin()
    )
    assert repriced.status_code == 422, repriced.text
    assert repriced.json()["error"] == "Discontinued"


async def test_a_product_shows_its_skus_and_an_unknown_one_gets_a_404(catalog: RunningCatalog) -> None:
    sku = _new_sku()
    await _seed(catalog.client, sku)
    product = await catalog.client.get(f"/products/{_product_of(sku)}")
    assert product.status_code == 200, product.text
    assert (product.json()["brand"], product.json()["skus"]) == ("Apple", [sku])
    unknown = await catalog.client.get("/products/no-such-product")
    assert (unknown.status_code, unknown.json()["field"]) == (404, "product_id")


async def test_a_search_is_served_page_by_page_by_brand_model_and_sku_each_sku_once(catalog: RunningCatalog) -> None:
    client, tag = catalog.client, uuid.uuid4().hex[:6].upper()
    skus = [f"IPH13-{tag}-{n}" for n in range(5)]
    for sku in reversed(skus):
        await _seed(client, sku)
    served: list[str] = []
    params: dict[str, str | int] = {"q": tag, "limit": 2}
    pages = 0
    while True:
        page = await client.get("/skus", params=params)
        assert page.status_code == 200, page.text
        served += [item["sku"] for item in page.json()["items"]]
        pages += 1
        if page.json()["next_cursor"] is None:
            break
        params = {**params, "cursor": page.json()["next_cursor"]}
    assert (served, pages) == (skus, 3)


async def test_a_search_refuses_a_cursor_it_never_gave_out_and_a_limit_over_500(catalog: RunningCatalog) -> None:
    forged = await catalog.client.get("/skus", params={"cursor": "bm90LWEtY3Vyc29y"})
    too_many = await catalog.client.get("/skus", params={"limit": 501})
    assert (forged.status_code, forged.json()["field"]) == (422, "cursor")
    assert (too_many.status_code, too_many.json()["field"]) == (422, "limit")


async def test_a_price_filter_without_a_market_gets_a_422_naming_the_market(catalog: RunningCatalog) -> None:
    response = await catalog.client.get("/skus", params={"max_price": 50000})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "market"


def _admin_calls(sku: str) -> list[tuple[str, str, dict[str, object]]]:
    """One well-formed call to each admin route, for an existing `sku`."""
    product_id = f"refused-{sku.lower()}"
    new_product: dict[str, object] = {
        "product_id": product_id,
        "brand": "Apple",
        "model": "iPhone 14",
        "category": "smartphone",
    }
    new_sku: dict[str, object] = {
        "sku": f"{sku}-2",
        "product_id": _product_of(sku),
        "kind": "accessory",
        "title": "Case",
    }
    return [
        ("POST", "/admin/products", new_product),
        ("POST", "/admin/skus", new_sku),
        ("PUT", f"/admin/skus/{sku}/prices/FR", {"amount_minor": 100, "currency": "EUR"}),
        ("POST", f"/admin/skus/{sku}/discontinue", {"reason": "nobody said so"}),
    ]


async def _unchanged(client: httpx.AsyncClient, sku: str) -> None:
    """The refused calls of `_admin_calls(sku)` left the catalog as it was."""
    shown = await client.get(f"/skus/{sku}")
    assert (shown.json()["prices"], shown.json()["discontinued"]) == ({}, False)
    assert (await client.get(f"/skus/{sku}-2")).status_code == 404
    assert (await client.get(f"/products/refused-{sku.lower()}")).status_code == 404


@pytest.mark.parametrize("credential", ["none", "customer"], ids=["no token", "a customer's token"])
async def test_an_admin_call_without_a_staff_token_gets_a_401_naming_the_header_and_changes_nothing(
    catalog: RunningCatalog, credential: str
) -> None:
    sku = _new_sku()
    await _seed(catalog.client, sku)
    headers = customer_headers("customer-1") if credential == "customer" else {}
    for method, path, body in _admin_calls(sku):
        response = await catalog.client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, f"{method} {path}: {response.text}"
        assert response.json()["field"] == "Authorization"
        assert response.headers["www-authenticate"] == "Bearer"
    bad_price = await catalog.client.put(
        f"/admin/skus/{sku}/prices/FR", json={"amount_minor": -1, "currency": "EUR"}, headers=headers
    )
    assert bad_price.status_code == 401, "a stranger's body is not judged"
    await _unchanged(catalog.client, sku)


async def test_an_admin_call_with_a_token_lacking_catalog_write_gets_a_403_naming_the_scope(
    catalog: RunningCatalog,
) -> None:
    sku = _new_sku()
    await _seed(catalog.client, sku)
    reader = staff_headers("catalog:read", "inventory:count")
    for method, path, body in _admin_calls(sku):
        response = await catalog.client.request(method, path, json=body, headers=reader)
        assert response.status_code == 403, f"{method} {path}: {response.text}"
        assert (response.json()["error"], response.json()["scope"]) == ("Forbidden", "catalog:write")
    await _unchanged(catalog.client, sku)


async def test_the_storefront_reads_answer_without_a_token(catalog: RunningCatalog) -> None:
    sku = _new_sku()
    await _seed(catalog.client, sku)
    searched = await catalog.client.get("/skus", params={"q": sku})
    one = await catalog.client.get(f"/skus/{sku}")
    product = await catalog.client.get(f"/products/{_product_of(sku)}")
    grades = await catalog.client.get("/grades")
    assert [item["sku"] for item in searched.json()["items"]] == [sku]
    assert (one.status_code, one.json()["sku"]) == (200, sku)
    assert (product.status_code, product.json()["skus"]) == (200, [sku])
    assert (grades.status_code, sorted(grades.json())) == (200, ["excellent", "fair", "good", "premium", "very_good"])

"""A service runs from the image the project's Dockerfile builds, against Kafka and PostgreSQL
started by testcontainers (`make test-containers`): it answers ready, takes a product and a SKU
from a staff token, and publishes them on the broker."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from testcontainers.core.container import DockerContainer

from reloop_contracts.catalog import SKUS, SkuListed
from reloop_localstack.containers import engine, images
from reloop_localstack.paths import free_port
from reloop_localstack.stack import Endpoints
from reloop_localstack.testing import TEST_KEYS, read_events, staff_headers

pytestmark = pytest.mark.connected


@pytest.fixture(scope="module")
def prepared() -> engine.Engine:
    name = engine.chosen()
    if name is None:
        pytest.fail(f"{engine.ENGINE_VARIABLE} is not set: run these tests with make test-containers")
    return engine.prepare(name)


@pytest.fixture(scope="module")
def catalog_image(prepared: engine.Engine) -> str:
    return images.build_service(prepared, images.ensure(prepared), "catalog", "catalog")


@pytest.fixture
def catalog(
    prepared: engine.Engine, catalog_image: str, infrastructure: Endpoints, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    """The catalog container: its URL and its topic namespace; stopped and removed after the test."""
    keys = tmp_path / "jwks.json"
    TEST_KEYS.signing_key()
    keys.write_text(json.dumps(TEST_KEYS.public_jwks()))
    keys.chmod(0o644)  # the service runs as its own unprivileged user
    port, namespace = free_port(), f"img{uuid.uuid4().hex[:8]}"
    container = (
        DockerContainer(catalog_image)
        .with_env("KAFKA_BOOTSTRAP_SERVERS", infrastructure.kafka_bootstrap_servers)
        .with_env("DATABASE_URL", infrastructure.database_url)
        .with_env("RELOOP_TOPIC_NAMESPACE", namespace)
        .with_env("RELOOP_JWKS", "/etc/reloop/jwks.json")
        .with_env("CATALOG_HTTP_HOST", "0.0.0.0")
        .with_env("CATALOG_HTTP_PORT", str(port))
        .with_volume_mapping(str(keys), "/etc/reloop/jwks.json", "ro")
    )
    if prepared.host_network:
        container.with_kwargs(network_mode="host")
    else:
        container.with_bind_ports(port, port)
    with container:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url, container)
        yield url, namespace


def _wait_ready(url: str, container: DockerContainer) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stdout, stderr = container.get_logs()
    pytest.fail(f"the catalog image never answered ready:\n{(stdout + stderr).decode(errors='replace')[-3000:]}")


async def test_the_catalog_from_its_own_image_lists_a_sku_and_publishes_it(
    catalog: tuple[str, str], infrastructure: Endpoints
) -> None:
    url, namespace = catalog
    sku, product = f"IMG-{uuid.uuid4().hex[:8].upper()}", f"p-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=url, headers=staff_headers("catalog:write"), timeout=10) as client:
        created = await client.post(
            "/admin/products",
            json={"product_id": product, "brand": "Apple", "model": "iPhone 13", "category": "smartphone"},
        )
        assert created.status_code == 201, created.text
        listed = await client.post(
            "/admin/skus",
            json={
                "sku": sku,
                "product_id": product,
                "kind": "refurbished_device",
                "title": "iPhone 13 128 GB midnight, excellent",
                "grade": "excellent",
                "storage_gb": 128,
                "colour": "midnight",
            },
        )
        assert listed.status_code == 201, listed.text
    published = await read_events(
        infrastructure.kafka_bootstrap_servers,
        f"{namespace}.{SKUS.name}",
        lambda event: isinstance(event, SkuListed) and event.sku == sku,
        expect=1,
    )
    assert [event.product_id for event in published if isinstance(event, SkuListed)] == [product]

"""A service's API pages and the bus's AsyncAPI page render on a machine with no internet: every
script and stylesheet comes from the service (or the page itself), and a headless Chromium with
nothing reachable but loopback shows every operation and every channel once its scripts ran."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from reloop_localstack import chromium
from reloop_shared.http.authentication import guards
from tests.every_service import SERVICES

ASYNCAPI = Path(__file__).resolve().parents[1] / "contracts" / "schemas"


class _Page(HTMLParser):
    """What a page loads (script src, stylesheet and icon href) and its visible text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.words: list[str] = []
        self.attributes: list[dict[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.attributes.append(found)
        link = found.get("src") if tag == "script" else found.get("href") if tag == "link" else None
        if link is not None:
            self.loads.append(link)

    def handle_data(self, data: str) -> None:
        self.words.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.words).split())


@pytest.fixture(scope="module")
def browser() -> str:
    path = chromium.find()
    if path is None:
        reason = "chromium is not installed: `python -m reloop_localstack.chromium` installs it"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@contextmanager
def _served(app: FastAPI) -> Iterator[str]:
    """The app on a free loopback port, without its lifespan: the pages need no database or broker."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=_free_port(), lifespan="off", log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def catalog() -> Iterator[tuple[str, dict[str, Any]]]:
    _, app = SERVICES["catalog"]()
    with _served(app) as url:
        yield url, app.openapi()


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_the_api_pages_load_every_script_and_stylesheet_from_the_service_itself(service: str) -> None:
    _, app = SERVICES[service]()
    assert {route: guards(app)[route] for route in ("GET /docs", "GET /redoc", "GET /docs/assets/{name}")} == {
        "GET /docs": "public",
        "GET /redoc": "public",
        "GET /docs/assets/{name}": "public",
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge") as client:
        assert (await client.get("/openapi.json")).json()["info"]["title"] == app.title
        for page in ("/docs", "/redoc"):
            loads = _Page((await client.get(page)).text).loads
            assert loads, f"{page} loads nothing"
            for link in loads:
                assert link.startswith("/"), f"{page} loads {link} from elsewhere"
                assert not link.startswith("//"), f"{page} loads {link} from elsewhere"
                asset = await client.get(link)
                assert asset.status_code == 200, f"{page}: {link} answered {asset.status_code}"
                assert asset.content, f"{page}: {link} is empty"
        assert (await client.get("/docs/assets/core.py")).status_code == 404


def test_swagger_ui_lists_every_operation_with_no_network_but_loopback(
    browser: str, catalog: tuple[str, dict[str, Any]]
) -> None:
    url, spec = catalog
    page = _Page(chromium.rendered_dom(f"{url}/docs", browser=browser))
    assert {found["data-path"] for found in page.attributes if found.get("data-path")} == set(spec["paths"])
    for summary in _summaries(spec):
        assert summary in page.text


def test_redoc_lists_every_operation_with_no_network_but_loopback(
    browser: str, catalog: tuple[str, dict[str, Any]]
) -> None:
    url, spec = catalog
    page = _Page(chromium.rendered_dom(f"{url}/redoc", browser=browser))
    assert spec["info"]["title"] in page.text
    for summary in _summaries(spec):
        assert summary in page.text


def test_the_asyncapi_page_lists_every_channel_and_message_from_a_file_with_no_network(browser: str) -> None:
    document = json.loads((ASYNCAPI / "asyncapi.json").read_text())
    page = _Page(chromium.rendered_dom((ASYNCAPI / "asyncapi.html").as_uri(), browser=browser))
    ids = {found.get("id") for found in page.attributes}
    for channel in document["channels"]:
        assert channel in page.text
        assert f"channel-{channel}" in ids
    for name, message in document["components"]["messages"].items():
        assert message["title"] in page.text
        assert f"message-{name}" in ids
        assert f"schema-{name}" in ids, "the message's payload fields are on the page"
    assert page.loads == []


def test_with_the_network_cut_a_page_reaches_loopback_and_nothing_else(browser: str) -> None:
    """The cut is shown to bite: a script on this machine's own non-loopback address loads
    without it and not with it, and the CDN's Swagger UI never runs."""
    address = _non_loopback_address()
    with _probe_server() as (port, requests):
        page = f"http://127.0.0.1:{port}/page?probe=http://{address}:{port}/probe.js"
        assert 'data-probe="ran"' in chromium.rendered_dom(page, browser=browser, cut_off=False)
        assert requests.count("/probe.js") == 1
        cut = chromium.rendered_dom(page, browser=browser)
    assert 'data-page="ran"' in cut, "the loopback page itself loads"
    assert 'data-probe="ran"' not in cut
    assert requests.count("/probe.js") == 1, "the cut page never reached the non-loopback address"
    assert 'data-cdn="undefined"' in cut


def _summaries(spec: dict[str, Any]) -> list[str]:
    return [operation["summary"] for path in spec["paths"].values() for operation in path.values()]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _non_loopback_address() -> str:
    """This machine's address on its network (UDP connect sends nothing, it only picks a route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))
        except OSError:
            pytest.skip("this machine has no network address besides loopback to prove the cut against")
        address = str(probe.getsockname()[0])
    if address.startswith("127."):
        pytest.skip("this machine has no network address besides loopback to prove the cut against")
    return address


_PAGE = """<!DOCTYPE html><html><head>
<script>document.documentElement.dataset.page = "ran"</script>
<script src="{probe}"></script>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
</head><body><script>document.documentElement.dataset.cdn = typeof SwaggerUIBundle</script></body></html>"""


@contextmanager
def _probe_server() -> Iterator[tuple[int, list[str]]]:
    """On every address of this machine: `/page?probe=<url>` loads that script, `/probe.js` marks
    the page; each path asked for is recorded."""
    requests: list[str] = []

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            requests.append(path)
            if path == "/probe.js":
                body, kind = 'document.documentElement.dataset.probe = "ran"', "text/javascript"
            else:
                body, kind = _PAGE.format(probe=query.removeprefix("probe=")), "text/html"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("0.0.0.0", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1]), requests
    finally:
        server.shutdown()
        server.server_close()

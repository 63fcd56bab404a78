"""The bus's page (`schemas/asyncapi.html`) says what the AsyncAPI document says, every link on it
lands, and it loads nothing from anywhere."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from reloop_contracts.asyncapi_page import asyncapi_page, channel_anchor, message_anchor, retention
from reloop_contracts.export import asyncapi
from reloop_contracts.registry import A_WEEK_MS, KEPT_FOR_EVER
from reloop_contracts.topics import REGISTRY


class _Page(HTMLParser):
    """The page's ids, in-page links and loaded resources; the text of each section, paragraph or
    table with an id, and each such table's rows of cells."""

    _HOLDERS = {"section", "table", "p"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.loads: list[str] = []
        self.tags: list[str] = []
        self.text_of: dict[str, str] = {}
        self.rows_of: dict[str, list[list[str]]] = {}
        self._open: list[tuple[str | None, list[str]]] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append(tag)
        if (anchor := found.get("id")) is not None:
            self.ids.add(anchor)
        if tag in self._HOLDERS:
            self._open.append((anchor, []))
        if tag == "table" and anchor is not None:
            self._table = anchor
            self.rows_of[anchor] = []
        if tag == "tr" and self._table is not None:
            self.rows_of[self._table].append([])
        if tag == "td" and self._table is not None:
            self._cell = []
        if tag == "a" and (href := found.get("href")) is not None:
            self.links.append(href)
        if tag in {"script", "link", "img", "iframe"}:
            self.loads.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HOLDERS:
            anchor, words = self._open.pop()
            if anchor is not None:
                self.text_of[anchor] = " ".join(" ".join(words).split())
        if tag == "table":
            self._table = None
        if tag == "td" and self._table is not None and self._cell is not None:
            self.rows_of[self._table][-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        for _, words in self._open:
            words.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _page(document: dict[str, Any] | None = None) -> _Page:
    return _Page(asyncapi_page(document or asyncapi()))


def test_every_link_on_the_page_lands_on_a_part_of_it() -> None:
    page = _page()
    assert page.links
    assert [link for link in page.links if not link.startswith("#") or link[1:] not in page.ids] == []


def test_the_page_loads_no_script_stylesheet_or_image_from_anywhere() -> None:
    page = _page()
    assert page.loads == []
    assert "style" in page.tags


def test_every_topic_shows_its_key_partitions_retention_producers_and_consumers() -> None:
    page = _page()
    for topic in REGISTRY:
        text = page.text_of[channel_anchor(topic.name)]
        assert f"key {topic.key}" in text
        assert f"partitions {topic.partitions}" in text
        assert f"retention {retention(topic.retention_ms)}" in text
        assert f"producers {', '.join(topic.producers)}" in text
        assert f"consumers {', '.join(topic.consumers) or 'none'}" in text
        assert f"dead letters {topic.dead_letter}" in text
        for event in topic.events:
            assert event.schema_id() in text


def test_every_message_lists_each_payload_field_as_required_or_optional_as_the_model_says() -> None:
    page = _page()
    for event in REGISTRY.events():
        assert event.EVENT_TYPE in page.text_of[message_anchor(event.schema_id())]
        rows = {cells[0]: cells[2] for cells in page.rows_of[f"schema-{event.schema_id()}"] if cells}
        expected = {
            field.alias or name: "required" if field.is_required() else "optional"
            for name, field in event.model_fields.items()
        }
        assert rows == expected, event.__name__


def test_text_from_the_registry_is_escaped_not_interpreted() -> None:
    document = asyncapi()
    first = next(iter(document["channels"]))
    document["channels"][first]["description"] = '<script>alert("x")</script> & more'
    html = asyncapi_page(document)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in html


def test_retention_is_said_in_days_or_as_kept_for_ever() -> None:
    assert retention(KEPT_FOR_EVER) == "kept for ever"
    assert retention(A_WEEK_MS) == "7 days (604800000 ms)"
    assert retention(1500) == "1500 ms"

"""The bus as one static page (`schemas/asyncapi.html`), rendered from the AsyncAPI document.

AsyncAPI's own viewers are JavaScript apps that load from a CDN; this page is plain HTML with its
CSS inline, so it opens from a file on a machine with no internet, and a reader follows a link from
a topic to its messages, from a message to its payload's fields and from a field to a shared type.
It is written from the exported document itself, so it cannot say anything the document does not.
"""

from __future__ import annotations

from html import escape
from typing import Any

from reloop_contracts.schema_fields import fields_table, schema_anchor

_A_DAY_MS = 24 * 60 * 60 * 1000
_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 2rem; color: #1d2330; }
h1, h2, h3 { line-height: 1.2; } h2 { border-bottom: 2px solid #d9dee8; padding-bottom: .3rem; margin-top: 3rem; }
section.channel, section.message, section.schema { border-top: 1px solid #d9dee8; padding-top: .5rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dt { font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: 14px; }
th, td { border: 1px solid #d9dee8; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f4f8; } td.required { font-weight: 600; } td.optional { color: #5b6475; }
code { background: #f2f4f8; padding: 0 .2rem; border-radius: 3px; } a { color: #1f5fbf; }
nav ul { columns: 2; } .default { color: #5b6475; } .summary { font-style: italic; }
"""


def asyncapi_page(document: dict[str, Any]) -> str:
    """The whole page: contents, every channel, every message with its payload, shared schemas."""
    info = document["info"]
    channels: dict[str, Any] = document["channels"]
    messages: dict[str, Any] = document["components"]["messages"]
    schemas: dict[str, Any] = document["components"]["schemas"]
    carried_by = _channels_of_messages(channels)
    shared = {name: schema for name, schema in schemas.items() if name not in messages}
    body = "".join(
        [
            f"<h1>{escape(info['title'])} <small>{escape(info['version'])}</small></h1>",
            f"<p>{escape(info.get('description', ''))}</p>",
            _contents(channels),
            '<h2 id="channels">Channels</h2>',
            *(_channel(name, channel) for name, channel in channels.items()),
            '<h2 id="messages">Messages</h2>',
            *(_message(name, messages[name], schemas[name], carried_by.get(name, [])) for name in messages),
            '<h2 id="schemas">Shared schemas</h2>',
            *(_schema(name, schema) for name, schema in shared.items()),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(info['title'])}: AsyncAPI {escape(document['asyncapi'])}</title>"
        f"<style>{_STYLE}</style></head>\n<body>{body}</body></html>\n"
    )


def channel_anchor(name: str) -> str:
    return f"channel-{name}"


def message_anchor(name: str) -> str:
    return f"message-{name}"


def retention(milliseconds: int) -> str:
    """`retention.ms` as a reader says it: kept for ever, or a number of days."""
    if milliseconds < 0:
        return "kept for ever"
    if milliseconds % _A_DAY_MS == 0:
        days = milliseconds // _A_DAY_MS
        return f"{days} day{'s' if days != 1 else ''} ({milliseconds} ms)"
    return f"{milliseconds} ms"


def _contents(channels: dict[str, Any]) -> str:
    links = "".join(f'<li><a href="#{escape(channel_anchor(name))}">{escape(name)}</a></li>' for name in channels)
    return (
        '<nav><p><a href="#channels">Channels</a> · <a href="#messages">Messages</a> · '
        f'<a href="#schemas">Shared schemas</a></p><ul>{links}</ul></nav>'
    )


def _channel(name: str, channel: dict[str, Any]) -> str:
    kafka = channel["bindings"]["kafka"]
    configuration = kafka["topicConfiguration"]
    facts = {
        "key": f"<code>{escape(channel['x-key'])}</code>",
        "partitions": escape(str(kafka["partitions"])),
        "retention": escape(retention(int(configuration["retention.ms"]))),
        "cleanup policy": escape(", ".join(configuration["cleanup.policy"])),
        "producers": _names(channel["x-producers"]),
        "consumers": _names(channel["x-consumers"]),
        "published for": _names(channel["x-published-for"]),
        "dead letters": f"<code>{escape(channel['x-dead-letter-topic'])}</code>",
    }
    message_links = "".join(
        f'<li><a href="#{escape(message_anchor(message))}">{escape(message)}</a></li>'
        for message in channel["messages"]
    )
    return (
        f'<section class="channel" id="{escape(channel_anchor(name))}"><h3>{escape(name)}</h3>'
        f"<p>{escape(channel.get('description', ''))}</p>{_facts(facts)}"
        f"<p>Messages:</p><ul>{message_links}</ul></section>"
    )


def _message(name: str, message: dict[str, Any], payload: dict[str, Any], channels: list[str]) -> str:
    on = ", ".join(f'<a href="#{escape(channel_anchor(c))}">{escape(c)}</a>' for c in channels)
    facts = {
        "event type": f"<code>{escape(message['name'])}</code>",
        "channels": on or "none",
        "content type": escape(message["contentType"]),
        "envelope": f'<a href="#{escape(schema_anchor("Envelope"))}">Envelope</a>, its <code>payload</code> below',
    }
    return (
        f'<section class="message" id="{escape(message_anchor(name))}"><h3>{escape(message["title"])}</h3>'
        f'<p class="summary">{escape(message.get("summary", ""))}</p>{_facts(facts)}'
        f"<p>Payload fields:</p>{fields_table(payload, anchor=schema_anchor(name))}</section>"
    )


def _schema(name: str, schema: dict[str, Any]) -> str:
    return (
        f'<section class="schema"><h3>{escape(name)}</h3><p>{escape(schema.get("description", ""))}</p>'
        f"{fields_table(schema, anchor=schema_anchor(name))}</section>"
    )


def _channels_of_messages(channels: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for channel_name, channel in channels.items():
        for reference in channel["messages"].values():
            found.setdefault(reference["$ref"].rsplit("/", 1)[-1], []).append(channel_name)
    return found


def _facts(facts: dict[str, str]) -> str:
    return "<dl>" + "".join(f"<dt>{escape(term)}</dt><dd>{value}</dd>" for term, value in facts.items()) + "</dl>"


def _names(names: list[str]) -> str:
    return ", ".join(escape(name) for name in names) or "none"

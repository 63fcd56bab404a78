"""`reloop dlq list [TOPIC]`, `reloop dlq replay TOPIC [--offset P:O ...] [--event-id ID ...]`,
`reloop dlq discard TOPIC (--offset P:O | --event-id ID) [--consumer GROUP]` and `reloop dlq held`.

A dead letter holds its key in the consumer group that failed it (`consumer.key_holds`): replayed,
it is applied before the events held behind it; discarded, those events are applied without it."""

from __future__ import annotations

import argparse
from typing import Any

from reloop_shared.cli import held_keys
from reloop_shared.cli.failures import CommandError
from reloop_shared.consumer.dead_letter_store import (
    DeadLetter,
    dead_letter_topics,
    read_dead_letters,
    replay,
)
from reloop_shared.kafka import headers as h
from reloop_shared.settings import RuntimeSettings


def register(commands: Any) -> None:
    dlq = commands.add_parser("dlq", help="list and replay dead letters").add_subparsers(dest="dlq", required=True)
    listing = dlq.add_parser("list", help="list dead letters with their reason")
    listing.add_argument("topic", nargs="?", help="a <topic>.dlq; all of them when omitted")
    listing.set_defaults(run=list_command)
    again = dlq.add_parser("replay", help="publish dead letters back to their original topic")
    again.add_argument("topic", help="the <topic>.dlq to replay from")
    again.add_argument("--offset", action="append", default=[], help="PARTITION:OFFSET to replay (repeatable)")
    again.add_argument("--event-id", action="append", default=[], help="event id to replay (repeatable)")
    again.add_argument("--all", action="store_true", help="replay every dead letter of the topic")
    again.set_defaults(run=replay_command)
    give_up = dlq.add_parser("discard", help="give dead letters up: the events held behind them are applied")
    give_up.add_argument("topic", help="the <topic>.dlq the dead letters are on")
    give_up.add_argument("--offset", action="append", default=[], help="PARTITION:OFFSET to discard (repeatable)")
    give_up.add_argument("--event-id", action="append", default=[], help="event id to discard (repeatable)")
    held_keys.add_discard_arguments(give_up)
    give_up.set_defaults(run=discard_command)
    held_keys.register(dlq)


def describe(letter: DeadLetter) -> str:
    return (
        f"{letter.position}  from {letter.original_topic}:{letter.headers.get(h.DLQ_ORIGINAL_PARTITION, '?')}:"
        f"{letter.headers.get(h.DLQ_ORIGINAL_OFFSET, '?')}  consumer={letter.headers.get(h.DLQ_CONSUMER, '?')}  "
        f"event={letter.headers.get(h.EVENT_TYPE, '?')} id={letter.headers.get(h.EVENT_ID, '?')}  "
        f"attempts={letter.headers.get(h.DLQ_ATTEMPTS, '?')}\n    reason: {letter.reason}"
    )


async def existing(bootstrap: str, topic: str) -> str:
    """`topic`, when the broker has it: reading one that does not exist would only say "0"."""
    known = await dead_letter_topics(bootstrap)
    if topic not in known:
        hint = "" if topic.endswith(".dlq") else f" (dead letters are on {topic}.dlq)"
        raise CommandError(f"no dead-letter topic {topic}{hint}: reloop dlq list shows those that exist")
    return topic


def in_namespace(topics: list[str]) -> list[str]:
    """This environment's: others sharing the cluster (`RELOOP_TOPIC_NAMESPACE`) have theirs."""
    namespace = RuntimeSettings().topic_namespace
    return [t for t in topics if t.startswith(f"{namespace}.")] if namespace else topics


async def list_command(args: argparse.Namespace) -> int:
    topics = [await existing(args.bootstrap_servers, args.topic)] if args.topic else []
    topics = topics or in_namespace(await dead_letter_topics(args.bootstrap_servers))
    total = 0
    for topic in topics:
        letters = await read_dead_letters(args.bootstrap_servers, topic)
        total += len(letters)
        for letter in letters:
            print(describe(letter))
    print(f"{total} dead letter(s) in {len(topics)} topic(s)")
    return 0


def select(letters: list[DeadLetter], offsets: list[str], event_ids: list[str], everything: bool) -> list[DeadLetter]:
    if everything:
        return letters
    wanted_positions = {tuple(int(p) for p in o.split(":", 1)) for o in offsets}
    return [
        letter
        for letter in letters
        if (letter.partition, letter.offset) in wanted_positions or letter.headers.get(h.EVENT_ID) in event_ids
    ]


async def replay_command(args: argparse.Namespace) -> int:
    if not (args.all or args.offset or args.event_id):
        print("say what to replay: --all, --offset PARTITION:OFFSET or --event-id ID")
        return 2
    topic = await existing(args.bootstrap_servers, args.topic)
    letters = select(await read_dead_letters(args.bootstrap_servers, topic), args.offset, args.event_id, args.all)
    count = await replay(args.bootstrap_servers, letters)
    print(f"replayed {count} dead letter(s) from {args.topic}")
    return 0


async def discard_command(args: argparse.Namespace) -> int:
    if not (args.offset or args.event_id):
        print("say what to discard: --offset PARTITION:OFFSET or --event-id ID")
        return 2
    topic = await existing(args.bootstrap_servers, args.topic)
    letters = select(await read_dead_letters(args.bootstrap_servers, topic), args.offset, args.event_id, False)
    if args.consumer:
        letters = [x for x in letters if x.headers.get(h.DLQ_CONSUMER) in (None, args.consumer)]
    released = await held_keys.discard(letters, args.consumer, args.database_url)
    for hold in released:
        print(f"released {hold.consumer} {hold.topic} key={hold.key}: its held events are applied next")
    print(f"discarded {len(letters)} dead letter(s) from {args.topic}; {len(released)} hold(s) released")
    return 0

"""`reloop outbox parked` and `reloop outbox release`, as an operator runs them, on a real
PostgreSQL outbox with parked rows."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from reloop_shared.db.types import Connection
from shared.tests.integration.relay_fakes import TOPIC, migrated, write

pytestmark = pytest.mark.connected


async def _reloop(*arguments: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reloop_shared.cli.main",
        *arguments,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=dict(os.environ),
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def _park(conn: Connection, row_id: int, error: str) -> None:
    await conn.execute(
        "UPDATE outbox SET parked_at = now(), attempts = 5, last_error = $2 WHERE id = $1", row_id, error
    )


async def test_an_operator_sees_each_parked_row_with_its_error_and_the_rows_waiting_behind_it(
    database_url: str,
) -> None:
    conn = await migrated(database_url)
    [published, parked, _, _, _] = await write(conn, ["u-1", "u-1", "u-1", "u-2", "u-1"])
    await conn.execute("UPDATE outbox SET published_at = now() WHERE id = $1", published)
    await _park(conn, parked, "MessageSizeTooLargeError('2000000 bytes')")

    code, out, err = await _reloop("outbox", "parked", "--producer", "inventory", "--database-url", database_url)

    assert code == 0, err
    first, error, total = out.splitlines()
    assert first.startswith(f"{parked}  {TOPIC}  key=u-1  event=Noted  attempts=5  parked=")
    assert first.endswith("waiting behind it: 2")
    assert error.strip() == "error: MessageSizeTooLargeError('2000000 bytes')"
    assert total == "1 parked row(s) in inventory's outbox"
    await conn.close()


async def test_release_retries_a_row_and_discard_gives_one_up_for_good(database_url: str) -> None:
    conn = await migrated(database_url)
    [retried, given_up, untouched] = await write(conn, ["a", "b", "c"])
    await _park(conn, retried, "TopicAuthorizationFailedError")
    await _park(conn, given_up, "TopicAuthorizationFailedError")
    url = ["--database-url", database_url]

    released = await _reloop("outbox", "release", "--producer", "p", *url, "--id", str(retried), "--id", str(untouched))
    discarded = await _reloop("outbox", "release", "--producer", "p", *url, "--all", "--discard")
    nothing_left = await _reloop("outbox", "release", "--producer", "p", *url, "--id", str(given_up))

    assert released[:2] == (0, f"released 1 row(s): {retried}\nnot parked, left alone: {untouched}\n")
    assert discarded[:2] == (0, f"discarded 1 row(s): {given_up}\n")
    assert nothing_left[0] == 1
    assert f"not parked: {given_up}" in nothing_left[2]
    rows = {
        r["id"]: r
        for r in await conn.fetch("SELECT id, parked_at, attempts, next_attempt_at, discarded_at FROM outbox")
    }
    assert rows[retried]["parked_at"] is None
    assert rows[retried]["attempts"] == 0
    assert rows[retried]["next_attempt_at"] is not None, "due now, and still ahead of its key's later rows"
    assert rows[given_up]["discarded_at"] is not None
    assert rows[given_up]["parked_at"] is None
    assert rows[untouched]["discarded_at"] is None
    await conn.close()

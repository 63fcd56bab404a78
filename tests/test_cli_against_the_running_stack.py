"""Every `reloop` command of the README's table, run as a new user runs it after `make up`: no
broker, database or key variable set, only `RELOOP_STACK` naming the running stack (`make up`'s
"up-test" run, shared with `test_make_up.py`). Each must exit 0 without a traceback. And with no
stack running and nothing set, a command says so in one line."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from reloop_localstack.paths import stack_dir
from reloop_localstack.stack import read_state
from reloop_localstack.testing import produce_raw
from tests.make_up_run import STACK, MakeUpRun

RELOOP = str(Path(sys.executable).with_name("reloop"))
SET_BY_THE_STACK = re.compile(
    r"KAFKA_.*|DATABASE_URL|KEYVAULT_DATABASE_URL|.*SERVICE_DATABASE_URL|RELOOP_(KAFKA_CREDENTIALS|TOPIC_NAMESPACE|"
    r"SIGNING_KEYS|KEY_ENCRYPTION_KEYS|JWKS|STACK)"
)


def a_new_users_environment(**extra: str) -> dict[str, str]:
    """This shell's environment without anything that names a broker, a database or keys."""
    return {k: v for k, v in os.environ.items() if not SET_BY_THE_STACK.fullmatch(k)} | extra


def reloop(*command: str, expect: int = 0, timeout: float = 120, **extra: str) -> str:
    done = subprocess.run(
        [RELOOP, *command],
        env=a_new_users_environment(RELOOP_STACK=STACK, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    said = done.stdout + done.stderr
    assert "Traceback" not in said, said
    assert done.returncode == expect, f"reloop {' '.join(command)} exited {done.returncode}:\n{said}"
    return done.stdout


def the_stack() -> dict[str, Any]:
    return read_state(stack_dir(STACK))


@pytest.mark.connected
async def test_status_shows_each_services_health_lag_and_outbox_and_the_dead_letters_of_a_poison_record(
    make_up: MakeUpRun,
) -> None:
    await asyncio.to_thread(make_up.up)
    namespace = make_up.env["RELOOP_TOPIC_NAMESPACE"]
    skus = f"{namespace}.catalog.skus.v1"
    await produce_raw(make_up.infrastructure.kafka_bootstrap_servers, skus, [(b"poison", b"not json", {})])
    dead_letters = f"{skus}.dlq"

    deadline = time.monotonic() + 60
    while True:
        status = json.loads(await asyncio.to_thread(reloop, "status", "--json"))
        # Each of the five services reading SKUs gives up on the record: five dead letters.
        if status["dead_letters"].get(dead_letters, 0) >= 5 or time.monotonic() > deadline:
            break
        await asyncio.sleep(2)
    assert status["dead_letters"][dead_letters] >= 5, status["dead_letters"]
    services = {s["name"]: s for s in status["services"]}
    assert set(services) == set(the_stack()["services"])
    for service in services.values():
        assert service["ready"] is True, service
        assert service["health"]["checks"], service
        assert isinstance(service["outbox_backlog"], int), service
        assert service["outbox_parked"] == 0, "the broker refused nothing"
        # The poison record's key is held behind its dead letter by every group that read it.
        assert service["held_keys"] == (1 if skus in service["lag_per_topic"] else 0), service
        assert service["outbox_error"] is None, service
        assert service["oldest_unpublished_s"] is None or service["oldest_unpublished_s"] >= 0
    assert services["catalog"]["lag"] is None, "catalog consumes nothing"
    assert set(services["inventory"]["lag_per_topic"]) >= {skus, f"{namespace}.sales.transactions.v1"}
    assert all(lag >= 0 for s in services.values() for lag in s["lag_per_topic"].values())
    # Inventory reads the catalog in a group of its own: its position counts too.
    assert {"inventory", "inventory-catalog"} <= set(services["inventory"]["lag_per_group"])

    table = await asyncio.to_thread(reloop, "status")
    header, *rows = table.split("\n\n")[0].splitlines()
    assert header.split() == [
        "service", "health", "lag", "outbox", "backlog", "oldest", "unpublished", "parked", "held", "keys"
    ]  # fmt: skip
    assert [row.split()[:2] for row in rows] == [[name, "ready"] for name in services]
    assert re.search(rf"^  {re.escape(dead_letters)}  \d+$", table, re.MULTILINE), table
    assert re.search(r"^  inventory-catalog  \d+$", table, re.MULTILINE), table


@pytest.mark.connected
def test_dead_letters_are_listed_and_replayed_on_the_running_stack(make_up: MakeUpRun) -> None:
    make_up.up()
    dead_letters = f"{make_up.env['RELOOP_TOPIC_NAMESPACE']}.catalog.skus.v1.dlq"
    everywhere = reloop("dlq", "list")
    assert dead_letters in everywhere
    listed = reloop("dlq", "list", dead_letters)
    assert "reason:" in listed
    assert re.search(r"^([5-9]|\d\d+) dead letter\(s\) in 1 topic\(s\)$", listed, re.MULTILINE), listed
    replayed = reloop("dlq", "replay", dead_letters, "--all")
    assert re.search(rf"^replayed ([5-9]|\d\d+) dead letter\(s\) from {re.escape(dead_letters)}$", replayed), replayed


@pytest.mark.connected
def test_a_token_from_the_stacks_issuer_opens_a_guarded_route_before_and_after_a_key_rotation(
    make_up: MakeUpRun, tmp_path: Path
) -> None:
    make_up.up()
    units = f"{the_stack()['services']['inventory']['url']}/units"
    for _ in ("before", "after"):
        token = reloop("token", "issue", "--subject", "ops-cli", "--scope", "inventory:read").strip()
        answer = httpx.get(units, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 200, answer.text
        rotated = reloop("keys", "rotate")
        assert " signs" in rotated
    published = reloop("keys", "publish", "--out", str(tmp_path / "jwks.json"))
    assert published.startswith(str(tmp_path / "jwks.json"))
    assert len(json.loads((tmp_path / "jwks.json").read_text())["keys"]) >= 2  # the old key verifies on


@pytest.mark.connected
def test_the_report_the_audit_and_the_overdue_repairs_read_the_stacks_databases(make_up: MakeUpRun) -> None:
    printed = make_up.up()
    report = reloop("report")
    assert "Channels" in report
    assert "Repair plan members" in report
    figures = json.loads(reloop("report", "--json"))
    assert {row["channel"] for row in figures["channels"]} >= {"online", "own_shop"}, figures["channels"]
    [customer] = re.findall(r"the demo customer (acct-demo-\S+?)'s storefront token", printed)
    reloop("audit", "--customer", customer)
    reloop("audit", "--customer", customer, "--json")
    reloop("repair", "overdue")


@pytest.mark.connected
def test_migrations_a_relay_a_replay_and_a_key_encryption_key_rotation_run_against_the_stack(
    make_up: MakeUpRun,
) -> None:
    make_up.up()
    assert reloop("migrate", "--service", "crm", "--package", "crm").startswith("crm: applied 0 migration(s)")
    relay = subprocess.Popen(
        [RELOOP, "relay", "--producer", "catalog"],
        env=a_new_users_environment(RELOOP_STACK=STACK),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(5)  # started, and found the catalog's outbox (or failed: then it has ended already)
    assert relay.poll() is None, relay.communicate()[0]
    relay.send_signal(signal.SIGINT)
    said, _ = relay.communicate(timeout=60)
    assert relay.returncode == 0, said
    assert "Traceback" not in said, said

    rebuilt = json.loads(reloop("replay", "crm", "--until", "end", "--database-url", make_up.new_database()))
    assert rebuilt["records"] > 0, rebuilt
    rotation = reloop("keys", "rotate-kek")
    assert re.match(r"re-wrapped \d+ key\(s\) under \S+", rotation), rotation


def test_with_no_stack_and_no_variables_a_command_says_what_to_do_in_one_line(tmp_path: Path) -> None:
    for command in (["dlq", "list"], ["report"], ["status"]):
        done = subprocess.run(
            [RELOOP, *command],
            env=a_new_users_environment(RELOOP_HOME=str(tmp_path), RELOOP_STACK=f"none-{uuid.uuid4().hex[:6]}"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0
        assert done.stdout == ""
        assert "Traceback" not in done.stderr
        [line] = done.stderr.splitlines()
        assert line.startswith(f"reloop {command[0]}: ")
        assert "make up" in line, line

"""The local stack belongs to the process that started it until that process stops it or ends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reloop_localstack import kafka_credentials
from reloop_localstack.stack import CREDENTIALS_VARIABLE, Endpoints, LocalStack, StackInUse


def test_a_stack_held_by_one_process_is_refused_to_another_until_released(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELOOP_HOME", str(tmp_path))
    first, second = LocalStack("shared"), LocalStack("shared")
    first.hold()
    with pytest.raises(StackInUse, match="'shared' stack is in use"):
        second.hold()
    first.stop()
    second.hold()
    second.stop()


def test_a_stack_is_free_again_once_the_process_holding_it_has_died(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELOOP_HOME", str(tmp_path))
    holder = "from reloop_localstack.stack import LocalStack; LocalStack('shared').hold(); print('held', flush=True)"
    subprocess.run([sys.executable, "-c", holder], check=True, capture_output=True)  # exits holding it
    again = LocalStack("shared")
    again.hold()
    again.stop()


def test_a_service_with_its_own_principal_leaves_its_topics_to_the_stack_s_admin(tmp_path: Path) -> None:
    credentials = kafka_credentials.credentials(tmp_path)
    endpoints = Endpoints("127.0.0.1:9092", "postgresql://x", credentials.admin, str(credentials.path))
    crm = endpoints.service_env("crm")
    assert crm["KAFKA_SASL_USERNAME"] == "crm"
    assert crm["KAFKA_MANAGE_TOPICS"] == "false"
    assert CREDENTIALS_VARIABLE not in crm


def test_a_service_on_a_broker_named_from_outside_manages_its_own_topics() -> None:
    endpoints = Endpoints("kafka.example:9092", "postgresql://x")
    assert "KAFKA_MANAGE_TOPICS" not in endpoints.service_env("crm")

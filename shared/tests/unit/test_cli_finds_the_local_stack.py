"""With no broker or database named, `reloop` speaks to the running local stack: its endpoints,
its admin's credentials and its keys come from the files `make up` keeps; variables set win."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reloop_shared import local_stack_files as files
from reloop_shared.cli.local_stack import find_stack, stack_environment
from reloop_shared.cli.main import build_parser, main, use_running_stack

STACK_VARIABLES = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "KAFKA_SECURITY_PROTOCOL",
    "KAFKA_SASL_MECHANISM",
    "KAFKA_SASL_USERNAME",
    "KAFKA_SASL_PASSWORD",
    "RELOOP_TOPIC_NAMESPACE",
    "DATABASE_URL",
    "KEYVAULT_DATABASE_URL",
    "CRM_SERVICE_DATABASE_URL",
    "RELOOP_SIGNING_KEYS",
    "RELOOP_KEY_ENCRYPTION_KEYS",
)


def a_running_stack(home: Path, name: str = "dev", *, credentials_elsewhere: Path | None = None) -> Path:
    folder = home / "stacks" / name
    folder.mkdir(parents=True)
    endpoints = {
        "kafka_bootstrap_servers": "127.0.0.1:40001",
        "database_url": "postgresql://postgres@127.0.0.1:40002/postgres",
        "topic_namespace": "ns1",
        "keyvault_database_url": "postgresql://postgres@127.0.0.1:40002/reloop_keyvault",
    }
    credentials = credentials_elsewhere or folder / files.KAFKA_CREDENTIALS_FILE
    credentials.write_text(json.dumps({"admin": "s3cret", "crm": "other"}))
    if credentials_elsewhere:
        endpoints["kafka_credentials"] = str(credentials_elsewhere)
    services = {
        "crm": {
            "url": "http://127.0.0.1:8105",
            "env_prefix": "CRM_",
            "database_url": "postgresql://postgres@127.0.0.1:40002/t_crm",
        }
    }
    (folder / files.STATE_FILE).write_text(json.dumps({"endpoints": endpoints, "services": services}))
    (folder / files.SIGNING_KEYS_FILE).write_text("{}")
    (folder / files.KEY_ENCRYPTION_KEYS_FILE).write_text("{}")
    return folder


def test_the_dev_stack_supplies_the_broker_as_its_admin_the_databases_and_the_keys(tmp_path: Path) -> None:
    folder = a_running_stack(tmp_path)
    stack = find_stack({"RELOOP_HOME": str(tmp_path)})
    assert stack is not None
    assert stack_environment(stack, {}) == {
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:40001",
        "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": "admin",
        "KAFKA_SASL_PASSWORD": "s3cret",
        "RELOOP_TOPIC_NAMESPACE": "ns1",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:40002/postgres",
        "KEYVAULT_DATABASE_URL": "postgresql://postgres@127.0.0.1:40002/reloop_keyvault",
        "CRM_SERVICE_DATABASE_URL": "postgresql://postgres@127.0.0.1:40002/t_crm",
        "RELOOP_SIGNING_KEYS": str(folder / files.SIGNING_KEYS_FILE),
        "RELOOP_KEY_ENCRYPTION_KEYS": str(folder / files.KEY_ENCRYPTION_KEYS_FILE),
    }


def test_reloop_stack_names_another_stack_and_its_credentials_file_may_live_elsewhere(tmp_path: Path) -> None:
    elsewhere = tmp_path / "session-credentials.json"
    a_running_stack(tmp_path, "up-test", credentials_elsewhere=elsewhere)
    assert find_stack({"RELOOP_HOME": str(tmp_path)}) is None
    stack = find_stack({"RELOOP_HOME": str(tmp_path), "RELOOP_STACK": "up-test"})
    assert stack is not None
    assert stack_environment(stack, {})["KAFKA_SASL_PASSWORD"] == "s3cret"


def test_variables_that_are_set_win_and_a_broker_named_by_hand_gets_no_stack_credentials(tmp_path: Path) -> None:
    a_running_stack(tmp_path)
    stack = find_stack({"RELOOP_HOME": str(tmp_path)})
    assert stack is not None
    environ = {
        "KAFKA_BOOTSTRAP_SERVERS": "kafka.example:9093",
        "DATABASE_URL": "postgresql://elsewhere/db",
        "RELOOP_SIGNING_KEYS": "/mine/keys.json",
    }
    assert stack_environment(stack, environ) == {
        "RELOOP_KEY_ENCRYPTION_KEYS": str(stack.folder / files.KEY_ENCRYPTION_KEYS_FILE)
    }


def test_the_commands_default_broker_is_the_running_stacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a_running_stack(tmp_path)
    for variable in STACK_VARIABLES:
        monkeypatch.setenv(variable, "")  # recorded, so what the stack fills in is undone after the test
        monkeypatch.delenv(variable)
    monkeypatch.setenv("RELOOP_HOME", str(tmp_path))
    use_running_stack(debug=False)
    assert build_parser().parse_args(["dlq", "list"]).bootstrap_servers == "127.0.0.1:40001"


def test_without_a_stack_nothing_is_filled(tmp_path: Path) -> None:
    assert find_stack({"RELOOP_HOME": str(tmp_path)}) is None


def test_a_stack_whose_broker_is_gone_is_named_in_the_one_line_with_how_to_clear_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    a_running_stack(tmp_path)  # its state names ports nothing listens on: a stack killed hard
    for variable in STACK_VARIABLES:
        monkeypatch.setenv(variable, "")
        monkeypatch.delenv(variable)
    monkeypatch.setenv("RELOOP_HOME", str(tmp_path))
    assert main(["dlq", "list"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        "reloop dlq: no Kafka at 127.0.0.1:40001: start the system with make up, or set KAFKA_BOOTSTRAP_SERVERS "
        "(the 'dev' stack's state names it; make down clears a stack left behind)"
    )

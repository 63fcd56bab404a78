"""Every `reloop` command fails in one line that says what is wrong and what to do; the
traceback only with `--debug`. The errors are the real ones the clients raise, classified once."""

from __future__ import annotations

import socket
from pathlib import Path

import asyncpg
import pytest
from aiokafka import errors as kafka_errors

from reloop_shared.cli import main as cli
from reloop_shared.cli.failures import CommandError, explain

NOTHING_RUNNING = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "DATABASE_URL": "postgresql://u@127.0.0.1:2/db"}


def a_port_nobody_listens_on() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_broker_that_does_not_answer_says_to_start_the_system_or_name_one() -> None:
    environ = {"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{a_port_nobody_listens_on()}"}
    line = explain(kafka_errors.KafkaConnectionError("Unable to bootstrap"), environ)
    assert line == (
        f"no Kafka at {environ['KAFKA_BOOTSTRAP_SERVERS']}: start the system with make up, "
        "or set KAFKA_BOOTSTRAP_SERVERS"
    )


def test_a_broker_that_answers_but_refuses_the_client_names_the_credentials_to_check() -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        environ = {
            "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{listening.getsockname()[1]}",
            "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "KAFKA_SASL_USERNAME": "crm",
        }
        line = explain(kafka_errors.KafkaConnectionError("Unable to bootstrap"), environ)
    assert line is not None
    assert "answers but refused us (SASL_PLAINTEXT as crm)" in line
    assert "KAFKA_SASL_PASSWORD" in line


def test_a_refused_database_connection_names_the_server_and_database_url() -> None:
    refused = ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 2)")
    assert explain(refused, NOTHING_RUNNING) == (
        "no PostgreSQL at 127.0.0.1:2: start the system with make up, or set DATABASE_URL"
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (asyncpg.InvalidPasswordError("password authentication failed"), "refused the credentials"),
        (asyncpg.InvalidCatalogNameError('database "reloop_crm" does not exist'), "has the service started once"),
        (asyncpg.UndefinedTableError('relation "outbox" does not exist'), "reloop migrate"),
    ],
)
def test_a_database_refusal_says_which_and_what_to_do(error: Exception, expected: str) -> None:
    line = explain(error, NOTHING_RUNNING)
    assert line is not None
    assert "127.0.0.1:2" in line
    assert expected in line


def test_a_principal_without_the_right_is_told_to_use_the_admin() -> None:
    line = explain(kafka_errors.GroupAuthorizationFailedError(), {"KAFKA_SASL_USERNAME": "crm"})
    assert line is not None
    assert "does not allow crm" in line


def test_a_timeout_and_a_missing_file_are_explained_too() -> None:
    assert "timed out" in (explain(TimeoutError(), NOTHING_RUNNING) or "")
    missing = FileNotFoundError(2, "No such file or directory", "/nowhere/keys.json")
    assert explain(missing, NOTHING_RUNNING) == "cannot read /nowhere/keys.json: No such file or directory"


def test_a_bug_is_not_explained_away() -> None:
    assert explain(KeyError("column"), NOTHING_RUNNING) is None


def test_a_command_failing_prints_one_line_and_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("RELOOP_HOME", str(tmp_path))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{a_port_nobody_listens_on()}")
    assert cli.main(["dlq", "list"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("reloop dlq: no Kafka at 127.0.0.1:")


def test_with_debug_the_traceback_is_shown_instead(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RELOOP_HOME", str(tmp_path))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{a_port_nobody_listens_on()}")
    with pytest.raises(kafka_errors.KafkaConnectionError):
        cli.main(["--debug", "dlq", "list"])


def test_a_commands_own_refusal_is_printed_as_it_words_it() -> None:
    assert explain(CommandError("no dead-letter topic x.dlq: ..."), {}) == "no dead-letter topic x.dlq: ..."

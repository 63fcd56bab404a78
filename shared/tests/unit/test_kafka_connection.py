"""Every Kafka client connects the way the variables say: in clear, over TLS, with SASL."""

from __future__ import annotations

import ssl

import pytest
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram512

from reloop_shared.kafka.broker import make_producer
from reloop_shared.kafka.connection import KafkaSecurity, KafkaSecurityError
from reloop_shared.settings import RuntimeSettings


def test_plaintext_gives_the_clients_nothing_but_the_protocol() -> None:
    security = KafkaSecurity()
    assert security.client_options() == {"security_protocol": "PLAINTEXT"}
    assert security.for_faststream() is None


def test_tls_verifies_the_brokers_certificates_and_host_names() -> None:
    options = KafkaSecurity(protocol="SSL").client_options()
    context = options["ssl_context"]
    assert options["security_protocol"] == "SSL"
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    faststream = KafkaSecurity(protocol="SSL").for_faststream()
    assert isinstance(faststream, BaseSecurity)
    assert faststream.use_ssl


def test_sasl_over_tls_hands_the_mechanism_and_credentials_to_both_kinds_of_client() -> None:
    security = KafkaSecurity(protocol="SASL_SSL", mechanism="SCRAM-SHA-512", username="crm", password="s3cret")
    options = security.client_options()
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("crm", "s3cret")
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    faststream = security.for_faststream()
    assert isinstance(faststream, SASLScram512)
    assert faststream.use_ssl


def test_sasl_in_clear_is_plain_sasl_without_tls() -> None:
    security = KafkaSecurity(protocol="SASL_PLAINTEXT", mechanism="PLAIN", username="crm", password="s3cret")
    assert "ssl_context" not in security.client_options()
    faststream = security.for_faststream()
    assert isinstance(faststream, SASLPlaintext)
    assert not faststream.use_ssl


def test_sasl_without_credentials_is_refused_naming_the_variables() -> None:
    with pytest.raises(KafkaSecurityError, match="KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"):
        KafkaSecurity(protocol="SASL_SSL", username="crm")


def test_a_ca_file_that_is_not_there_fails_when_the_client_is_built_not_later() -> None:
    with pytest.raises(FileNotFoundError):
        KafkaSecurity(protocol="SSL", cafile="/nonexistent/ca.pem").client_options()


def test_the_settings_read_the_variables_kafka_users_know(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "SCRAM-SHA-256")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "store-sync")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "s3cret")
    security = KafkaSecurity.of(RuntimeSettings())
    assert security == KafkaSecurity.from_environment()
    assert (security.protocol, security.mechanism, security.username, security.password) == (
        "SASL_SSL",
        "SCRAM-SHA-256",
        "store-sync",
        "s3cret",
    )
    assert "s3cret" not in repr(RuntimeSettings())  # a secret never lands in a log of the settings


async def test_the_relays_producer_is_built_with_the_environments_security(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "PLAIN")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "orders")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "s3cret")
    producer = make_producer("127.0.0.1:9", client_id="test")
    assert producer.client._security_protocol == "SASL_PLAINTEXT"
    assert producer.client._sasl_mechanism == "PLAIN"

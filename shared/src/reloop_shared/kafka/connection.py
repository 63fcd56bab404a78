"""How a client reaches the brokers: in clear on a laptop, over TLS (and SASL) in production.

Every Kafka client of the system (the faststream broker, the relay's producer, the admin and
dead-letter tools, CRM's replay) is built with one `KafkaSecurity`, read from the variables Kafka
users know: `KAFKA_SECURITY_PROTOCOL` (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL),
`KAFKA_SSL_CAFILE` (the CA that signed the brokers' certificates; the system's CAs when unset),
`KAFKA_SASL_MECHANISM` (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), `KAFKA_SASL_USERNAME`,
`KAFKA_SASL_PASSWORD`. Production refuses PLAINTEXT (`reloop_shared.production`).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from reloop_shared.settings import RuntimeSettings

Protocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
Mechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
_SASL = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512}


class KafkaSecurityError(ValueError):
    """The variables name a way of connecting that cannot work; the message names the variable."""


@dataclass(frozen=True)
class KafkaSecurity:
    protocol: Protocol = "PLAINTEXT"
    cafile: str | None = None
    mechanism: Mechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = None

    def __post_init__(self) -> None:
        if self.protocol not in get_args(Protocol):
            raise KafkaSecurityError(f"KAFKA_SECURITY_PROTOCOL {self.protocol!r} is not one of {get_args(Protocol)}")
        if self.mechanism not in _SASL:
            raise KafkaSecurityError(f"KAFKA_SASL_MECHANISM {self.mechanism!r} is not one of {tuple(_SASL)}")
        if self.sasl and not (self.username and self.password):
            raise KafkaSecurityError(f"{self.protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")

    @classmethod
    def of(cls, settings: RuntimeSettings) -> KafkaSecurity:
        """How a service's settings say its clients connect."""
        password = settings.kafka_sasl_password
        return cls(
            protocol=settings.kafka_security_protocol,
            cafile=settings.kafka_ssl_cafile,
            mechanism=settings.kafka_sasl_mechanism,
            username=settings.kafka_sasl_username,
            password=password.get_secret_value() if password is not None else None,
        )

    @classmethod
    def from_environment(cls) -> KafkaSecurity:
        """As a service's settings would read it: for the tools that run without a service's settings."""
        return cls.of(RuntimeSettings())

    @property
    def encrypted(self) -> bool:
        return self.protocol in ("SSL", "SASL_SSL")

    @property
    def sasl(self) -> bool:
        return self.protocol.startswith("SASL")

    def ssl_context(self) -> ssl.SSLContext | None:
        """Verifies the brokers' certificates and host names; None when the protocol is not TLS."""
        return ssl.create_default_context(cafile=self.cafile) if self.encrypted else None

    def client_options(self) -> dict[str, Any]:
        """The keyword arguments of an aiokafka client (producer, consumer, admin)."""
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.encrypted:
            options["ssl_context"] = self.ssl_context()
        if self.sasl:
            options |= {
                "sasl_mechanism": self.mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        return options

    def for_faststream(self) -> BaseSecurity | None:
        """The same, as faststream's broker takes it; None for PLAINTEXT."""
        if not self.sasl:
            return BaseSecurity(self.ssl_context(), use_ssl=True) if self.encrypted else None
        sasl = _SASL[self.mechanism]
        return sasl(cast(str, self.username), cast(str, self.password), self.ssl_context(), use_ssl=self.encrypted)

"""Which failures are worth waiting out and which are the message's (or the code's) fault: one
table for the consumer engine and the outbox relay.

Waiting out a fatal error stalls a partition or a key for ever; giving up on a transient one sends
a good event to a dead-letter topic while the database fails over. So the verdict is taken from
what the error says about the *server*, not from its Python class alone:

- PostgreSQL by SQLSTATE class (the first two characters of the code), with a few codes of
  otherwise fatal classes that mean "not now" (a read-only standby after a failover, a lock not
  available).
- Kafka by the broker's own word: every aiokafka error says whether it is `retriable`; a few that
  aiokafka marks otherwise are overridden below, with the reason.
- The network by errno: a refused or reset connection heals, a missing file or a permission does not.
- asyncpg's client-side errors: a connection that is gone heals on another connection; misuse of
  the driver (`InterfaceError` otherwise, `DataError` on arguments) never does.
"""

from __future__ import annotations

import errno
import random
from enum import Enum

import asyncpg
from aiokafka import errors as kafka

from reloop_shared.errors import DomainError


class Verdict(Enum):
    TRANSIENT = "transient"
    """The database, broker or network is unavailable or busy: retry without limit."""
    FATAL = "fatal"
    """The message or the code is at fault: retrying will not change it."""


# SQLSTATE classes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_TRANSIENT_SQLSTATE_CLASSES = {
    "08": "connection exception",
    "40": "transaction rollback (serialization failure, deadlock)",
    "53": "insufficient resources (disk full, out of memory, too many connections)",
    "57": "operator intervention (query cancelled, admin or crash shutdown, cannot connect now)",
    "58": "system error (I/O error)",
}
_TRANSIENT_SQLSTATES = {
    "25006": "read-only transaction: a standby after a failover, writes resume on the new primary",
    "55P03": "lock not available (lock_timeout)",
    "55006": "object in use",
    "72000": "snapshot too old",
}

# aiokafka marks these non-retriable, but each heals without anyone touching the message.
_TRANSIENT_KAFKA: tuple[type[BaseException], ...] = (
    kafka.KafkaTimeoutError,  # the producer's delivery timeout while the broker was away
    kafka.KafkaUnavailableError,
    kafka.BrokerNotAvailableError,
    kafka.ReplicaNotAvailableError,
    kafka.RebalanceInProgressError,
    kafka.ProducerClosed,  # the relay's producer is being restarted
)
# aiokafka marks these retriable, but retrying never helps the message.
_FATAL_KAFKA: tuple[type[BaseException], ...] = (kafka.CorrelationIdError,)

_TRANSIENT_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.EPIPE,
    errno.ETIMEDOUT,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.ENETDOWN,
    errno.EHOSTDOWN,
    errno.EADDRNOTAVAIL,
    errno.EAGAIN,
    errno.ENOBUFS,
    errno.EINTR,
}

# asyncpg's client-side errors that mean the connection or pool is gone, not that the call was
# wrong: the connection closed under a database restart, or this process is stopping (a good event
# must never be dead-lettered for that). Its connection errors proper are SQLSTATE class 08.
_CLOSED = ("connection is closed", "connection was closed", "pool is closed")
# A cached statement outlived a migration: asyncpg drops the cache, so the next try works.
_TRANSIENT_DRIVER: tuple[type[BaseException], ...] = (asyncpg.exceptions.OutdatedSchemaCacheError,)


def classify(error: BaseException) -> Verdict:
    """TRANSIENT when waiting will heal it, FATAL otherwise (see the module's table)."""
    if isinstance(error, DomainError):
        return Verdict.FATAL
    if isinstance(error, asyncpg.PostgresError):
        return _postgres(error)
    if isinstance(error, _TRANSIENT_DRIVER):
        return Verdict.TRANSIENT
    if isinstance(error, asyncpg.InterfaceError):
        return Verdict.TRANSIENT if any(text in str(error) for text in _CLOSED) else Verdict.FATAL
    if isinstance(error, kafka.KafkaError):
        return _kafka(error)
    if isinstance(error, TimeoutError | ConnectionError):
        return Verdict.TRANSIENT
    if isinstance(error, OSError):
        if error.errno == errno.ENOENT and error.filename is None:
            # Connecting to a Unix socket that is not there: the database is restarting. A file
            # that does not exist names itself (`filename`), and that does not heal.
            return Verdict.TRANSIENT
        return Verdict.TRANSIENT if error.errno in _TRANSIENT_ERRNOS or error.errno is None else Verdict.FATAL
    return Verdict.FATAL


def is_transient(error: BaseException) -> bool:
    return classify(error) is Verdict.TRANSIENT


def backoff(failures: int, *, base: float, cap: float) -> float:
    """Seconds to wait after the `failures`-th failure in a row: exponential up to `cap`, with
    jitter so that many waiters (the partitions of a service, the replicas of a relay) do not all
    come back in the same instant. Never less than half the exponential step, so a retry storm
    still slows down."""
    step = float(min(cap, base * 2 ** min(max(failures, 1) - 1, 30)))
    return step * (0.5 + random.random() / 2)


def _postgres(error: asyncpg.PostgresError) -> Verdict:
    code = str(getattr(error, "sqlstate", "") or "")
    if code in _TRANSIENT_SQLSTATES or code[:2] in _TRANSIENT_SQLSTATE_CLASSES:
        return Verdict.TRANSIENT
    return Verdict.FATAL


def _kafka(error: kafka.KafkaError) -> Verdict:
    if isinstance(error, _FATAL_KAFKA):
        return Verdict.FATAL
    if isinstance(error, _TRANSIENT_KAFKA) or error.retriable:
        return Verdict.TRANSIENT
    return Verdict.FATAL

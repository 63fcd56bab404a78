"""One table says which failures are waited out and which are the message's fault: PostgreSQL by
SQLSTATE class, Kafka by the broker's retriable flag, the network by errno; and the consumer
engine follows it (a database failing over does not dead-letter good events, a driver misused
does not stall the partition for ever)."""

from __future__ import annotations

import errno
from dataclasses import dataclass, field

import asyncpg
import pytest
from aiokafka import errors as kafka

from reloop_contracts import EnvelopeHeader, Registry
from reloop_shared.consumer.subscription import Subscription
from reloop_shared.errors import DomainError
from reloop_shared.failures import Verdict, backoff, classify
from reloop_shared.memory import InMemoryUnitOfWork, MemoryStore, MemoryTransaction
from reloop_shared.memory_service import InMemoryService
from reloop_shared.outbox.writer import OutboxWriter
from shared.tests.support import CounterIncremented, counter_topic

x = asyncpg.exceptions

TRANSIENT = [
    # 08: connection exception
    x.ConnectionDoesNotExistError("the connection was closed"),
    x.ConnectionFailureError("connection failure"),
    # 25006: a standby after a failover refuses writes until the new primary takes them
    x.ReadOnlySQLTransactionError("cannot execute INSERT in a read-only transaction"),
    # 40: transaction rollback
    x.SerializationError("could not serialize access"),
    x.DeadlockDetectedError("deadlock detected"),
    # 53: insufficient resources
    x.DiskFullError("could not extend file"),
    x.OutOfMemoryError("out of memory"),
    x.TooManyConnectionsError("sorry, too many clients already"),
    # 55P03: lock_timeout
    x.LockNotAvailableError("could not obtain lock"),
    # 57: operator intervention
    x.QueryCanceledError("canceling statement due to statement timeout"),
    x.AdminShutdownError("terminating connection due to administrator command"),
    x.CrashShutdownError("terminating connection because of crash of another server process"),
    x.CannotConnectNowError("the database system is starting up"),
    # 58: system error
    x.PostgresIOError("could not read block"),
    # the driver: a connection closed under a restart, a statement cache outlived by a migration
    asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
    x.OutdatedSchemaCacheError("cached statement plan is invalid"),
    # Kafka: retriable by the broker's word, and those aiokafka marks fatal that heal by themselves
    kafka.NotLeaderForPartitionError(),
    kafka.RequestTimedOutError(),
    kafka.KafkaConnectionError("connection refused"),
    kafka.NotEnoughReplicasError(),
    kafka.KafkaTimeoutError(),
    kafka.BrokerNotAvailableError(),
    # the network
    ConnectionRefusedError(errno.ECONNREFUSED, "refused"),
    ConnectionResetError(errno.ECONNRESET, "reset"),
    OSError(errno.EHOSTUNREACH, "no route to host"),
    OSError(errno.ENETUNREACH, "network is unreachable"),
    FileNotFoundError(errno.ENOENT, "No such file or directory"),  # a Unix socket gone while PostgreSQL restarts
    TimeoutError(),
]

FATAL = [
    # 22: data exception
    x.NumericValueOutOfRangeError("integer out of range"),
    x.UntranslatableCharacterError("unsupported Unicode escape sequence"),
    x.InvalidTextRepresentationError("invalid input syntax for type uuid"),
    # 23: integrity constraint violation
    x.UniqueViolationError("duplicate key value"),
    x.CheckViolationError("violates check constraint"),
    x.ForeignKeyViolationError("violates foreign key constraint"),
    # 42: syntax error or access rule violation
    x.UndefinedTableError('relation "nowhere" does not exist'),
    x.InsufficientPrivilegeError("permission denied for table outbox"),
    # XX: internal error
    x.DataCorruptedError("invalid page in block"),
    # the driver misused: no retry will change it
    asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    asyncpg.DataError("invalid input for query argument $1"),
    # Kafka: fatal by the broker's word
    kafka.RecordTooLargeError(),
    kafka.MessageSizeTooLargeError(),
    kafka.TopicAuthorizationFailedError(),
    kafka.InvalidTopicError(),
    kafka.CorruptRecordException(),
    # the network: errors that are not about the network healing
    FileNotFoundError(errno.ENOENT, "no such file", "/etc/reloop/keys.json"),
    PermissionError(errno.EACCES, "permission denied"),
    # the code and the data
    ValueError("a counter never goes down"),
    KeyError("sku"),
    DomainError("a business rule"),
]


@pytest.mark.parametrize("error", TRANSIENT, ids=lambda e: type(e).__name__)
def test_a_failure_that_heals_by_itself_is_transient(error: BaseException) -> None:
    assert classify(error) is Verdict.TRANSIENT


@pytest.mark.parametrize("error", FATAL, ids=lambda e: type(e).__name__)
def test_a_failure_no_retry_changes_is_fatal(error: BaseException) -> None:
    assert classify(error) is Verdict.FATAL


def test_backoff_grows_to_its_cap_with_jitter_never_below_half_a_step() -> None:
    waits = [backoff(n, base=0.1, cap=5.0) for n in range(1, 12) for _ in range(50)]
    assert all(0.05 <= w <= 5.0 for w in waits)
    assert max(waits) > 2.5, "reaches the cap's neighbourhood"
    at_three = {round(backoff(3, base=0.1, cap=5.0), 6) for _ in range(50)}
    assert len(at_three) > 1, "jittered"
    assert all(0.2 <= w <= 0.4 for w in at_three)


# The engine follows the table.

TOPIC = counter_topic()
REGISTRY = Registry.of([TOPIC])


@dataclass
class Totals:
    totals: dict[str, int] = field(default_factory=dict)


class TotalsUnitOfWork(InMemoryUnitOfWork[object, Totals]):
    def bind(self, tables: Totals) -> None:
        self.totals = tables.totals


@dataclass
class Flaky:
    """Raises `error` for the first `times` calls with counter `failing`, then adds the amount."""

    error: BaseException
    times: int
    failing: str = "c"
    calls: int = 0

    async def __call__(self, event: CounterIncremented, _: EnvelopeHeader, tx: MemoryTransaction[Totals]) -> None:
        if event.counter_id == self.failing:
            self.calls += 1
            if self.calls <= self.times:
                raise self.error
        tx.tables.totals[event.counter_id] = tx.tables.totals.get(event.counter_id, 0) + event.amount


def service(store: MemoryStore[Totals], handler: Flaky) -> InMemoryService[Totals, TotalsUnitOfWork]:
    subscription = Subscription.per_event("totals", [TOPIC], {CounterIncremented: handler})
    return InMemoryService(store, [subscription], own_transaction, registry=REGISTRY)


def own_transaction(store: MemoryStore[Totals]) -> TotalsUnitOfWork:
    return TotalsUnitOfWork(OutboxWriter("totals", REGISTRY), lambda _: [], store=store)


@pytest.mark.parametrize(
    "error",
    [x.QueryCanceledError("statement timeout"), x.ReadOnlySQLTransactionError("read-only"), x.DiskFullError("full")],
    ids=lambda e: type(e).__name__,
)
async def test_a_database_that_is_failing_over_or_short_of_resources_delays_an_event_but_never_dead_letters_it(
    error: BaseException,
) -> None:
    store = MemoryStore(Totals())
    handler = Flaky(error, times=4)
    async with service(store, handler) as running:
        await running.deliver(CounterIncremented(counter_id="c", amount=3))
    assert await running.dead_letters() == []
    assert store.tables.totals == {"c": 3}
    assert handler.calls == 5, "four failures waited out, then applied"


async def test_a_misused_driver_is_the_code_s_fault_and_dead_letters_instead_of_stalling_the_partition() -> None:
    store = MemoryStore(Totals())
    handler = Flaky(asyncpg.InterfaceError("cannot perform operation: another operation is in progress"), times=99)
    async with service(store, handler) as running:
        await running.deliver(CounterIncremented(counter_id="c", amount=3))
        await running.deliver(CounterIncremented(counter_id="d", amount=1))
    [letter] = await running.dead_letters()
    assert letter.key == b"c"
    assert letter.reason.startswith("InterfaceError: cannot perform operation")
    assert store.tables.totals == {"d": 1}, "the partition went on"

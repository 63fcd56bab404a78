"""Relay leadership: a lease row with a fencing token (the epoch), kept in the outbox's database.

A session advisory lock dies with its connection while the relay goes on publishing through
others; a lease is checked in the very transaction that claims and marks rows, so leadership and
publishing cannot drift apart. Time is the database's (`now()`), never a relay's clock.
"""

from __future__ import annotations

import uuid

from reloop_shared.db.types import Connection

# Expired, or ours already (a relay that lost a connection takes its own lease back at once).
_TAKE = """
UPDATE outbox_relay_lease
SET holder = $1, epoch = epoch + 1, expires_at = now() + make_interval(secs => $2)
WHERE expires_at <= now() OR holder = $1
RETURNING epoch
"""
# Run in every batch's claim (`claiming.py`), before a row is locked. The row lock this takes is
# held until the batch's transaction ends: a takeover waits for it.
RENEW = """
UPDATE outbox_relay_lease
SET expires_at = now() + make_interval(secs => $3)
WHERE holder = $1 AND epoch = $2 AND expires_at > now()
RETURNING epoch
"""
_GIVE_UP = "UPDATE outbox_relay_lease SET expires_at = '-infinity' WHERE holder = $1 AND epoch = $2"


class LeadershipLost(Exception):
    """The lease expired or another relay took it: publish nothing more, stand by."""


class RelayLease:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.holder = uuid.uuid4()
        self.epoch: int | None = None

    async def take(self, conn: Connection) -> bool:
        """Become the leader if the lease is free; waits while a leader's batch is in flight."""
        self.epoch = await conn.fetchval(_TAKE, self.holder, self.seconds)
        return self.epoch is not None

    def renewed(self, epoch: int | None) -> None:
        """What the batch's renewal (`RENEW`, with holder, epoch and seconds) returned: None when
        the lease is no longer ours, and then nothing may be published."""
        if epoch is None or epoch != self.epoch:
            self.epoch = None
            raise LeadershipLost

    async def give_up(self, conn: Connection) -> None:
        """Stopping: let a standby take over now rather than when the lease expires."""
        if self.epoch is not None:
            await conn.execute(_GIVE_UP, self.holder, self.epoch)
            self.epoch = None

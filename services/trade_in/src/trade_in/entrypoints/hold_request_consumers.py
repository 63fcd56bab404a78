"""Hold requests from checkouts and tills: `VoucherHoldRequested` -> `RequestHold` -> handler.

Orders and store-sync ask on `vouchers.hold-requests.v1` (keyed by the code's hash, so one
voucher's requests arrive in the order they were asked) and wait for the answer, `VoucherHeld` or
`VoucherHoldRefused`, on `trade-in.vouchers.v1`. A batch's requests are decided together, in one
load, one decision in order and one save (`vouchers.request_holds`). The handler joins the consuming
transaction, so the processed-event record, the hold entries and the answers in the outbox commit
together; a request asked again under the same hold id gets the same answer and holds nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TypeVar

from reloop_contracts import trade_in as contract
from reloop_shared.clock import Clock
from reloop_shared.consumer.subscription import BatchHandler, Delivery
from trade_in.adapters import translators
from trade_in.service_layer import vouchers
from trade_in.service_layer.voucher_ports import VoucherUnitOfWork

TOPICS = (contract.HOLD_REQUESTS,)

Tx = TypeVar("Tx")
"""The consuming transaction: a PostgreSQL connection in the service, a memory transaction in tests."""


def applying_holds_together(
    unit_of_work: Callable[[Tx], VoucherUnitOfWork],
    clock: Clock,
    hold_for: timedelta,
    others: BatchHandler[Tx] | None = None,
) -> BatchHandler[Tx]:
    """A batch's hold requests decided together, each held for `hold_for` from now (the policy's,
    counted from the decision, so a request read late still gets its whole time), and its other
    events handed to `others`. A batch is one partition of one topic: requests never share one
    with events of another topic."""

    async def apply(deliveries: Sequence[Delivery], tx: Tx) -> None:
        asked: list[vouchers.HoldToDecide] = []
        rest: list[Delivery] = []
        held_until = clock.now() + hold_for
        for delivery in deliveries:
            if isinstance(delivery.event, contract.VoucherHoldRequested):
                command = translators.hold_request(delivery.event, held_until)
                cause = (delivery.envelope.correlation_id, str(delivery.event_id), delivery.headers)
                asked.append(vouchers.HoldToDecide(command, *cause))
            else:
                rest.append(delivery)
        await vouchers.request_holds(asked, unit_of_work(tx), clock)
        if rest and others is not None:
            await others(rest, tx)

    return apply

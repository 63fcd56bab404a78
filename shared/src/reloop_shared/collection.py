"""Python's garbage collector, tuned for a process that applies events in batches.

A batch (sales, a POS upload, a page of the outbox) allocates tens of thousands of short-lived
objects (decoded events, aggregates, contract events, outbox rows) that live across the batch's
awaits. At Python's default thresholds (700, 10, 10) they were promoted and scanned again and
again: in inventory under load, a third of the process's CPU (CPU per sale 325-372 µs before,
238-261 µs after, three back-to-back pairs; peak RSS unchanged at ~116 MB). Collecting the
youngest generation every 50,000 allocations keeps cyclic garbage bounded at a few MB for a
fraction of that cost. CRM's replay worker found the same.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 10)


def tune_for_batches() -> None:
    """Call once start-up has built everything: what it imported and built lives as long as the
    process, so it is frozen out of every collection; then the thresholds above apply."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)

-- The workshop's service levels and its quote lapse sweep read tickets by these.

-- Open tickets oldest first (the overdue list's candidates); the predicate is `tickets.OPEN`,
-- written out the same way in adapters/ticket_repository.py so the planner can use it.
CREATE INDEX tickets_open_oldest ON tickets (opened_at, ticket_id)
    WHERE status IN ('diagnosed', 'in_repair', 'quality_checked', 'quoted', 'received', 'repaired',
                     'waiting_for_parts');

-- Quotes waiting for an answer, by deadline: what the lapse sweep claims.
CREATE INDEX tickets_quotes_by_deadline ON tickets (answer_by, ticket_id) WHERE status = 'quoted';

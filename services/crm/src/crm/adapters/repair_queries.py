"""Read-side SQL of the repair plan figures, over the anonymous subscription, state and ticket
facts. Each query computes a figure as `domain/repair_figures.py` defines it.

A subscription's states are laid out as intervals (from each change to the next, changes at one
instant in `STATUSES` order); the state at a date is the interval holding it. Months are UTC
calendar months; text is ordered byte-wise (`COLLATE "C"`), as Python sorts it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from crm.domain.repair_figures import ENDING_STATUSES, MEMBER_STATUSES, PLAN, STATUSES, PlanMembers, PlanMonth
from reloop_shared.db.types import Connection


def _sql_list(values: Iterable[str]) -> str:
    """Constants of the definitions, spelled once there (never input)."""
    return ", ".join(f"'{v}'" for v in values)


_ORDER = f"array_position(ARRAY[{_sql_list(STATUSES)}]::text[], s.status)"
_MEMBERS = _sql_list(sorted(MEMBER_STATUSES))
_ENDINGS = _sql_list(sorted(ENDING_STATUSES))

# Only subscriptions whose start CRM has seen count: the start gives the market.
_INTERVALS = f"""
intervals AS (
    SELECT f.market, s.subscription_id, s.status, s.at,
           lead(s.at) OVER (PARTITION BY s.subscription_id ORDER BY s.at, {_ORDER}) AS until
    FROM subscription_status_facts s JOIN subscription_facts f USING (subscription_id)
    WHERE s.at <= $1::timestamptz
)
"""

_NOW = f"""
WITH {_INTERVALS}
SELECT market,
       count(*) FILTER (WHERE status = 'active') AS active,
       count(*) FILTER (WHERE status = 'past_due') AS past_due,
       count(*) FILTER (WHERE status = 'suspended') AS suspended
FROM intervals WHERE until IS NULL
GROUP BY market ORDER BY market COLLATE "C"
"""

_MONTHS = f"""
WITH {_INTERVALS},
firsts AS (
    SELECT market, min(at) AS first_at FROM (
        SELECT market, started_at AS at FROM subscription_facts WHERE started_at <= $1::timestamptz
        UNION ALL
        SELECT market, opened_at FROM repair_ticket_facts WHERE coverage = '{PLAN}' AND opened_at <= $1::timestamptz
    ) x GROUP BY market
),
months AS (
    SELECT market, to_char(m, 'YYYY-MM') AS month, m AT TIME ZONE 'UTC' AS starts,
           (m + interval '1 month') AT TIME ZONE 'UTC' AS ends
    FROM firsts, generate_series(
        date_trunc('month', first_at AT TIME ZONE 'UTC'),
        date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC'),
        interval '1 month'
    ) AS m
),
members AS (
    -- The state just before the month began: the interval that started before it and had not
    -- ended (a change at the first instant belongs to the month).
    SELECT mo.market, mo.month, count(*) AS n
    FROM months mo JOIN intervals i ON i.market = mo.market AND i.at < mo.starts
         AND (i.until IS NULL OR i.until >= mo.starts) AND i.status IN ({_MEMBERS})
    GROUP BY mo.market, mo.month
),
ended AS (
    SELECT market, min(at) AS ended_at FROM intervals WHERE status IN ({_ENDINGS}) GROUP BY market, subscription_id
),
churned AS (
    SELECT mo.market, mo.month, count(*) AS n
    FROM months mo JOIN ended e ON e.market = mo.market AND e.ended_at >= mo.starts AND e.ended_at < mo.ends
    GROUP BY mo.market, mo.month
),
claims AS (
    SELECT mo.market, mo.month, count(*) AS n
    FROM months mo JOIN repair_ticket_facts t ON t.market = mo.market AND t.coverage = '{PLAN}'
         AND t.opened_at >= mo.starts AND t.opened_at < mo.ends AND t.opened_at <= $1::timestamptz
    GROUP BY mo.market, mo.month
)
SELECT mo.market, mo.month, coalesce(m.n, 0) AS members_at_start, coalesce(c.n, 0) AS churned,
       coalesce(t.n, 0) AS plan_claims
FROM months mo
LEFT JOIN members m USING (market, month)
LEFT JOIN churned c USING (market, month)
LEFT JOIN claims t USING (market, month)
ORDER BY mo.market COLLATE "C", mo.month
"""


class RepairQueries:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def plan_members(self, as_of: datetime) -> list[PlanMembers]:
        rows = await self.conn.fetch(_NOW, as_of)
        return [PlanMembers(r["market"], r["active"], r["past_due"], r["suspended"]) for r in rows]

    async def plan_months(self, as_of: datetime) -> list[PlanMonth]:
        rows = await self.conn.fetch(_MONTHS, as_of)
        return [PlanMonth(r["market"], r["month"], r["members_at_start"], r["churned"], r["plan_claims"]) for r in rows]

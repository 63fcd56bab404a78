"""The repair plan figures, shaped for the API and `reloop report` (definitions in the README)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm.adapters.repair_queries import RepairQueries
from reloop_shared.db.types import Connection


async def repair_report(conn: Connection, as_of: datetime) -> dict[str, Any]:
    """Plan members per market at `as_of`, and per market and month members at its start, churn
    and claims per member, up to `as_of`."""
    queries = RepairQueries(conn)
    return {
        "as_of": as_of.isoformat(),
        "members": [
            {
                "market": m.market,
                "members": m.members,
                "active": m.active,
                "past_due": m.past_due,
                "suspended": m.suspended,
            }
            for m in await queries.plan_members(as_of)
        ],
        "months": [
            {
                "market": m.market,
                "month": m.month,
                "members_at_start": m.members_at_start,
                "churned": m.churned,
                "churn": m.churn,
                "plan_claims": m.plan_claims,
                "claims_per_member": m.claims_per_member,
            }
            for m in await queries.plan_months(as_of)
        ],
    }

"""CRM: customer profiles, consent, merges and re-engagement segments."""

from __future__ import annotations

from reloop_contracts.registry import TopicSpec

TOPICS: tuple[TopicSpec, ...] = ()

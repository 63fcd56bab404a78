"""Shops and partner points of sale: the shop registry, drop-offs, stock counts, shipments."""

from __future__ import annotations

from reloop_contracts.registry import TopicSpec

TOPICS: tuple[TopicSpec, ...] = ()

"""reloop's event contracts: the public API between services.

Every event travels in one :class:`Envelope`; each topic is declared once in
:data:`reloop_contracts.topics.REGISTRY` with its key and the events it carries.
"""

from reloop_contracts.base import Contract, Event, parse_lenient
from reloop_contracts.envelope import Envelope, EnvelopeHeader
from reloop_contracts.money import Currency, Market, Money, NonNegativeMoney, PositiveMoney
from reloop_contracts.registry import Registry, TopicSettings, TopicSpec
from reloop_contracts.topics import REGISTRY

__all__ = [
    "REGISTRY",
    "Contract",
    "Currency",
    "Envelope",
    "EnvelopeHeader",
    "Event",
    "Market",
    "Money",
    "NonNegativeMoney",
    "PositiveMoney",
    "Registry",
    "TopicSettings",
    "TopicSpec",
    "parse_lenient",
]

"""The shop registry: where a shop is, what it sells in, whose customers it serves.

A shop is an own shop or a partner point of sale run by an operator. Its effective customer-data
policy is its own override, else its operator's, else the default for its kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reloop_contracts.markets import currency_of
from reloop_shared.recording import EventRecorder
from store_sync.domain import events
from store_sync.domain.errors import InvalidShop
from store_sync.domain.policy import OWN_SHOP_DEFAULT, PARTNER_DEFAULT, CustomerDataPolicy
from store_sync.domain.tax import STANDARD_TAX_RATE_BP

SHOP_KINDS = ("own_shop", "partner_shop")
POS_FORMATS = ("reloop", "telco_pos")
"""`reloop`: the canonical JSON API. `telco_pos`: the partner operator's till (its own SKU codes,
field names, VAT-included prices and CSV end-of-day export), mapped by `domain.partner`."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Postal codes differ per country (75001, SW1A 1AA, 1010-001): only the shared alphabet is checked.
_POSTAL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,15}$")


def check_id(value: str, field: str) -> str:
    if not _ID.match(value):
        raise InvalidShop(
            "an id is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", field=field
        )
    return value


def check_postal_code(value: str) -> str:
    if not _POSTAL_CODE.match(value):
        raise InvalidShop(
            "a postal code is 1-16 letters, digits, spaces or '-', starting with a letter or digit",
            field="postal_code",
        )
    return value


@dataclass
class Operator:
    operator_id: str
    name: str
    pos_format: str
    policy: CustomerDataPolicy
    created_at: datetime

    @classmethod
    def create(
        cls, operator_id: str, name: str, pos_format: str, policy: CustomerDataPolicy | None, at: datetime
    ) -> Operator:
        check_id(operator_id, "operator_id")
        if pos_format not in POS_FORMATS:
            raise InvalidShop(f"pos_format is one of {', '.join(POS_FORMATS)}", field="pos_format")
        return cls(operator_id, name, pos_format, policy or PARTNER_DEFAULT, at)


@dataclass
class Shop:
    shop_id: str
    name: str
    kind: str
    market: str
    currency: str
    timezone: str
    tax_rate_bp: int
    registered_at: datetime
    operator_id: str | None = None
    operator_policy: CustomerDataPolicy | None = None
    own_policy: CustomerDataPolicy | None = None
    pos_format: str = "reloop"
    active: bool = True
    postal_code: str | None = None
    opens_on: date | None = None
    """The day the shop opens to customers (local); None: it was open from its registration."""
    recorder: EventRecorder[events.DomainEvent] = field(default_factory=EventRecorder, repr=False, compare=False)

    @classmethod
    def register(
        cls,
        shop_id: str,
        name: str,
        kind: str,
        market: str,
        timezone: str,
        at: datetime,
        *,
        operator: Operator | None = None,
        policy: CustomerDataPolicy | None = None,
        tax_rate_bp: int | None = None,
        postal_code: str | None = None,
        opens_on: date | None = None,
    ) -> Shop:
        check_id(shop_id, "shop_id")
        if postal_code is not None:
            check_postal_code(postal_code)
        if kind not in SHOP_KINDS:
            raise InvalidShop(f"kind is one of {', '.join(SHOP_KINDS)}", field="kind")
        currency = currency_of(market)
        if currency is None:
            raise InvalidShop(f"reloop does not sell in market {market}", field="market")
        _zone(timezone)
        rate = tax_rate_bp if tax_rate_bp is not None else STANDARD_TAX_RATE_BP.get(market)
        if rate is None:
            raise InvalidShop(f"market {market} has no standard rate: give the shop's tax rate", field="tax_rate_bp")
        if not 0 <= rate <= 10_000:
            raise InvalidShop("a tax rate is 0 to 10000 basis points", field="tax_rate_bp")
        if kind == "partner_shop" and operator is None:
            raise InvalidShop("a partner shop is run by an operator", field="operator_id")
        shop = cls(
            shop_id=shop_id,
            name=name,
            kind=kind,
            market=market,
            currency=currency,
            timezone=timezone,
            tax_rate_bp=rate,
            registered_at=at,
            operator_id=operator.operator_id if operator else None,
            operator_policy=operator.policy if operator else None,
            own_policy=policy,
            pos_format=operator.pos_format if operator else "reloop",
            postal_code=postal_code,
            opens_on=opens_on,
        )
        shop._check_policy(shop.policy)
        shop.recorder.record(
            events.ShopRegistered(
                shop_id,
                name,
                kind,
                market,
                currency,
                timezone,
                shop.operator_id,
                shop.policy,
                at,
                postal_code=postal_code,
                opens_on=opens_on,
            )
        )
        return shop

    @property
    def policy(self) -> CustomerDataPolicy:
        return self._effective(self.own_policy, self.operator_policy)

    def _effective(self, own: CustomerDataPolicy | None, operator: CustomerDataPolicy | None) -> CustomerDataPolicy:
        return own or operator or (OWN_SHOP_DEFAULT if self.kind == "own_shop" else PARTNER_DEFAULT)

    @property
    def ref(self) -> events.ShopRef:
        return events.ShopRef(self.shop_id, self.kind, self.market, self.currency)

    def set_policy(self, policy: CustomerDataPolicy | None, at: datetime) -> None:
        """The shop's own policy (None: back to its operator's)."""
        self._use_policies(policy, self.operator_policy, at)

    def operator_policy_changed(self, policy: CustomerDataPolicy, at: datetime) -> None:
        self._use_policies(self.own_policy, policy, at)

    def _use_policies(self, own: CustomerDataPolicy | None, operator: CustomerDataPolicy | None, at: datetime) -> None:
        before = self.policy
        self._check_policy(self._effective(own, operator))
        self.own_policy, self.operator_policy = own, operator
        if self.policy != before:
            self.recorder.record(events.PolicyChanged(self.shop_id, self.policy, before, at))

    def _check_policy(self, policy: CustomerDataPolicy) -> None:
        if self.kind == "own_shop" and policy.data_owner != "reloop":
            raise InvalidShop("the customer data of an own shop is reloop's", field="data_owner")

    def to_utc(self, moment: datetime) -> datetime:
        """A till's timestamp in UTC: with an offset as given, without one in the shop's time zone.

        A local time that happens twice (the autumn clock change) is taken as the first one."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            moment = moment.replace(tzinfo=_zone(self.timezone))
        return moment.astimezone(UTC)

    def business_date(self, moment: datetime) -> date:
        """The shop's calendar day of a moment: a late-evening sale in New York is that day's."""
        return moment.astimezone(_zone(self.timezone)).date()


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidShop(f"'{name}' is not an IANA time zone", field="timezone") from None

"""Channel analytics: the figures and how they are derived from counts (definitions in the README)."""

from __future__ import annotations

from dataclasses import dataclass

NEUTRAL_BAND = 0.05
"""A lift within +-5% is reported as neutral rather than halo or cannibalisation."""

POSTAL_PREFIX_LENGTH = 2
"""Online sales are placed in a catchment by the first two characters of the delivery postal code."""


def postal_prefix(postal_code: str | None) -> str | None:
    cleaned = "".join((postal_code or "").split()).upper()
    return cleaned[:POSTAL_PREFIX_LENGTH] if len(cleaned) >= POSTAL_PREFIX_LENGTH else None


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def growth(before: int, after: int) -> float | None:
    return after / before if before else None


def lift(local: float | None, control: float | None) -> float | None:
    """How much more the catchment grew than the control markets (negative: it grew less)."""
    if local is None or control is None or control == 0:
        return None
    return local / control - 1


def verdict(value: float | None) -> str:
    if value is None:
        return "insufficient_data"
    if value > NEUTRAL_BAND:
        return "halo"
    if value < -NEUTRAL_BAND:
        return "cannibalisation"
    return "neutral"


@dataclass(frozen=True)
class ChannelFigures:
    channel: str
    sales: int
    returned_sales: int
    units_sold: int
    units_returned: int
    device_sales: int
    device_sales_with_accessory: int
    device_sales_with_service: int
    accessory_units: int
    service_units: int

    @property
    def return_rate(self) -> float | None:
        return ratio(self.returned_sales, self.sales)

    @property
    def unit_return_rate(self) -> float | None:
        return ratio(self.units_returned, self.units_sold)

    @property
    def accessory_attach_rate(self) -> float | None:
        return ratio(self.device_sales_with_accessory, self.device_sales)

    @property
    def service_attach_rate(self) -> float | None:
        return ratio(self.device_sales_with_service, self.device_sales)

    @property
    def accessories_per_sale(self) -> float | None:
        return ratio(self.accessory_units, self.sales)

    @property
    def services_per_sale(self) -> float | None:
        return ratio(self.service_units, self.sales)


@dataclass(frozen=True)
class Comparison:
    """Online sales (counts) before and after an opening: in a catchment or market, and in control markets."""

    before: int
    after: int
    control_before: int
    control_after: int

    @property
    def growth(self) -> float | None:
        return growth(self.before, self.after)

    @property
    def control_growth(self) -> float | None:
        return growth(self.control_before, self.control_after)

    @property
    def lift(self) -> float | None:
        return lift(self.growth, self.control_growth)

    @property
    def verdict(self) -> str:
        return verdict(self.lift)

"""Markets reloop sells in and the one currency each is priced and paid in (reference data)."""

from __future__ import annotations

MARKET_CURRENCY: dict[str, str] = {
    "FR": "EUR",
    "DE": "EUR",
    "ES": "EUR",
    "IT": "EUR",
    "BE": "EUR",
    "NL": "EUR",
    "AT": "EUR",
    "PT": "EUR",
    "IE": "EUR",
    "FI": "EUR",
    "GB": "GBP",
    "US": "USD",
    "SE": "SEK",
    "JP": "JPY",
}


def currency_of(market: str) -> str | None:
    return MARKET_CURRENCY.get(market)

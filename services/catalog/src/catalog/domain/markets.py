"""Markets reloop sells in and the one currency each market is priced in."""

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

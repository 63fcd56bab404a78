"""What a staff token must hold to call inventory's routes (`reloop_shared.http.authentication`).

Reads and writes of stock are apart, and a stock count, which overwrites the books with what was
found, is a scope of its own. Availability is public: the storefront shows what is in stock."""

from __future__ import annotations

READ = "inventory:read"
WRITE = "inventory:write"
COUNT = "inventory:count"

"""What inventory knows of the catalog's SKUs (from catalog.skus.v1): their kind and grade."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SkuInfo:
    sku: str
    kind: str
    grade: str | None
    product_id: str
    discontinued: bool = False

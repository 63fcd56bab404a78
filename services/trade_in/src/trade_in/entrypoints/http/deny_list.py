"""The local deny list of stolen or blacklisted devices."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path

from reloop_shared.auth.principal import Principal
from reloop_shared.http.authentication import requires
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of
from trade_in.domain import commands
from trade_in.domain.devices import identify
from trade_in.entrypoints.http.edge import Edge
from trade_in.entrypoints.http.schemas import DenyEntryOut, DenyIn
from trade_in.entrypoints.http.scopes import PRICING
from trade_in.service_layer import deny_list


def router(on: Edge) -> APIRouter:
    routes = APIRouter(tags=["deny list"])

    @routes.post("/deny-list", status_code=201, summary="List a stolen or blacklisted device")
    async def deny(body: DenyIn, who: Principal = requires(PRICING)) -> DenyEntryOut:
        command = commands.DenyDevice(body.identifier.identifier(), body.reason, who.subject)
        return DenyEntryOut.of(await deny_list.deny_device(command, on.unit_of_work(), on.clock))

    @routes.delete("/deny-list/{kind}/{value}", status_code=204, summary="Take a device off the deny list")
    async def allow(
        kind: Literal["imei", "serial"],
        value: Annotated[str, Path(min_length=4, max_length=64)],
        who: Principal = requires(PRICING),
    ) -> None:
        await deny_list.allow_device(commands.AllowDevice(identify(kind, value), who.subject), on.unit_of_work())

    @routes.get("/deny-list", summary="Listed devices", dependencies=[requires(PRICING)])
    async def entries(page: Annotated[PageRequest, Depends(keyed_by(str, str))]) -> Page[DenyEntryOut]:
        after = (str(page.after[0]), str(page.after[1])) if page.after else None
        found = await deny_list.deny_list_entries(on.unit_of_work(), after, page.limit + 1)
        items, cursor = page_of(found, page, lambda e: (e.identifier.kind, e.identifier.value))
        return Page(items=[DenyEntryOut.of(e) for e in items], next_cursor=cursor)

    return routes

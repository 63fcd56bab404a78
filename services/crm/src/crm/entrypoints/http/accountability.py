"""Who opens personal data and why, as the audit records it: the caller's token, the `X-Purpose`
header staff give, the request's correlation id and the route."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Request

from crm.domain.audit import PURPOSE_MAX, Access, customer_actor, purpose_of
from crm.service_layer.ports import KeyVault
from reloop_shared.auth.principal import Principal
from reloop_shared.context import peek_flow


def _purpose_header() -> Any:
    return Header(
        alias="X-Purpose",
        min_length=1,
        max_length=PURPOSE_MAX,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="Why you open this personal data (a ticket, the customer's own request): one line of "
        f"at most {PURPOSE_MAX} characters, recorded in the audit with who you are.",
    )


Purpose = Annotated[str, _purpose_header()]
"""Required: the route opens or looks up personal data whoever calls it."""

PurposeIfPersonal = Annotated[str | None, _purpose_header()]
"""Required only of a caller the route opens personal data for (checked by `staff_access`)."""


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', request.url.path)}"


def _request_id() -> str | None:
    """The flow's correlation id: sent back as `X-Correlation-Id`, carried by the events it caused."""
    flow = peek_flow()
    return flow.correlation_id if flow is not None else None


def staff_access(who: Principal, purpose: str | None, request: Request) -> Access:
    return Access(who.subject, "staff", tuple(sorted(who.scopes)), purpose_of(purpose), _request_id(), _route(request))


async def customer_access(who: Principal, purpose: str, vault: KeyVault, request: Request) -> Access:
    """A customer acting on their own data: named by a keyed hash of their account, and their
    request (art. 15 or 17) is the purpose."""
    actor = customer_actor(await vault.pepper(), who.subject)
    return Access(actor, "customer", tuple(sorted(who.scopes)), purpose, _request_id(), _route(request))

"""Who may call a route: signed tokens checked at the one edge, 401 for who cannot be told, 403
for who may not, keys that rotate without a restart, and no route left open by omission."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import APIRouter, Depends

from reloop_shared.auth.keys import MAX_TOKEN_LIFETIME, LocalKeySet
from reloop_shared.auth.principal import STAFF, STOREFRONT, Principal
from reloop_shared.auth.tokens import LOCAL_ISSUER, issue_token
from reloop_shared.auth.verification import InvalidToken, JwksVerifier, jwks_from_file, jwks_verifier
from reloop_shared.cli.main import build_parser
from reloop_shared.http.app import UnguardedRoutes, create_app, create_edge
from reloop_shared.http.authentication import customer, guards, install_verifier, public, requires, unguarded_routes
from reloop_shared.runtime import ServiceRuntime
from reloop_shared.settings import RuntimeSettings


def verifier(keys: LocalKeySet, *, refresh_s: float = 300) -> JwksVerifier:
    return JwksVerifier(jwks_from_file(keys.path), issuer=LOCAL_ISSUER, refresh_s=refresh_s)


def staff_token(
    keys: LocalKeySet, *scopes: str, now: datetime | None = None, ttl: timedelta = MAX_TOKEN_LIFETIME
) -> str:
    return issue_token(keys, subject="staff-ada", audience=STAFF, scopes=scopes, now=now, ttl=ttl)


def edge(keys: LocalKeySet) -> httpx.AsyncClient:
    router = APIRouter()

    @router.put("/admin/skus/{sku}/prices/{market}", dependencies=[requires("catalog:write")])
    async def price(sku: str, market: str) -> dict[str, str]:
        return {"sku": sku}

    @router.get("/skus", dependencies=[public()])
    async def browse() -> list[str]:
        return ["IPH13-128-BLK-EX"]

    @router.get("/me/orders")
    async def mine(who: Principal = customer()) -> dict[str, str]:
        return {"customer": who.subject}

    app = create_edge(title="guarded", routers=[router])
    install_verifier(app, verifier(keys))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge")


@pytest.fixture
def keys(tmp_path: Path) -> LocalKeySet:
    return LocalKeySet(tmp_path / "signing-keys.json")


async def test_a_token_with_the_scope_opens_the_route_and_none_is_needed_for_a_public_one(keys: LocalKeySet) -> None:
    async with edge(keys) as client:
        allowed = await client.put(
            "/admin/skus/S1/prices/FR", headers={"Authorization": f"Bearer {staff_token(keys, 'catalog:write')}"}
        )
        browsing = await client.get("/skus")
    assert (allowed.status_code, browsing.status_code) == (200, 200)


async def test_a_valid_token_without_the_scope_is_a_403_naming_the_scope(keys: LocalKeySet) -> None:
    async with edge(keys) as client:
        response = await client.put(
            "/admin/skus/S1/prices/FR", headers={"Authorization": f"Bearer {staff_token(keys, 'inventory:write')}"}
        )
    assert response.status_code == 403
    assert (response.json()["error"], response.json()["scope"]) == ("Forbidden", "catalog:write")


@pytest.mark.parametrize(
    "credential",
    ["none", "not-a-token", "expired", "unknown-key", "customer-audience", "tampered", "basic"],
)
async def test_who_cannot_be_told_is_a_401_naming_the_authorization_header(
    keys: LocalKeySet, tmp_path: Path, credential: str
) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=3)
    stranger = LocalKeySet(tmp_path / "someone-elses-keys.json")
    good = staff_token(keys, "catalog:write")
    shopper = issue_token(keys, subject="c-1", audience=STOREFRONT, scopes=["catalog:write"])
    header = {
        "none": None,
        "not-a-token": "Bearer abc.def",
        "expired": f"Bearer {staff_token(keys, 'catalog:write', now=long_ago)}",
        "unknown-key": f"Bearer {staff_token(stranger, 'catalog:write')}",
        "customer-audience": f"Bearer {shopper}",
        "tampered": f"Bearer {good[:-4]}{'AAAA' if not good.endswith('AAAA') else 'BBBB'}",
        "basic": "Basic YWRhOnNlY3JldA==",
    }[credential]
    async with edge(keys) as client:
        response = await client.put("/admin/skus/S1/prices/FR", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json()["field"] == "Authorization"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_customer_token_names_the_customer_and_a_staff_token_is_not_one(keys: LocalKeySet) -> None:
    own = issue_token(keys, subject="customer-42", audience=STOREFRONT)
    async with edge(keys) as client:
        mine = await client.get("/me/orders", headers={"Authorization": f"Bearer {own}"})
        staff = await client.get("/me/orders", headers={"Authorization": f"Bearer {staff_token(keys)}"})
    assert mine.json() == {"customer": "customer-42"}
    assert staff.status_code == 401


async def test_after_a_rotation_old_tokens_verify_until_their_key_is_retired_and_new_ones_at_once(
    keys: LocalKeySet,
) -> None:
    start = datetime.now(UTC)
    before = staff_token(keys, "catalog:write", now=start)
    checking = verifier(keys)
    assert (await checking.verify(before, audience=STAFF)).subject == "staff-ada"

    keys.rotate(start)
    after = staff_token(keys, "catalog:write", now=start)
    assert (await checking.verify(after, audience=STAFF)).may("catalog:write"), "the new key, without a restart"
    assert (await checking.verify(before, audience=STAFF)).subject == "staff-ada", "the old key still verifies"

    keys.prune(start + MAX_TOKEN_LIFETIME + timedelta(seconds=1))
    with pytest.raises(InvalidToken, match="not trusted"):
        await verifier(keys).verify(before, audience=STAFF)


async def test_a_removed_key_stops_verifying_once_the_key_set_is_read_again(keys: LocalKeySet) -> None:
    start = datetime.now(UTC)
    token = staff_token(keys, now=start)
    checking = verifier(keys, refresh_s=0)
    await checking.verify(token, audience=STAFF)
    keys.rotate(start - MAX_TOKEN_LIFETIME * 2)  # retired long enough ago to be removed by the next prune
    keys.prune(start)
    with pytest.raises(InvalidToken):
        await checking.verify(token, audience=STAFF)


def _counting_signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    checked: list[str] = []
    decode = jwt.decode

    def counted(token: str, *args: Any, **kwargs: Any) -> Any:
        checked.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counted)  # the module the verifier calls it from
    return checked


async def test_a_verified_token_is_remembered_and_its_signature_not_checked_again(
    keys: LocalKeySet, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = _counting_signature_checks(monkeypatch)
    token, checking = staff_token(keys, "catalog:write"), verifier(keys)
    answers = [await checking.verify(token, audience=STAFF) for _ in range(3)]
    assert {a.subject for a in answers} == {"staff-ada"}
    assert len(checked) == 1


async def test_a_remembered_token_is_checked_again_once_it_expires_and_serves_only_its_audience(
    keys: LocalKeySet, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = _counting_signature_checks(monkeypatch)
    token, checking = issue_token(keys, subject="customer-42", audience=STOREFRONT), verifier(keys)
    assert (await checking.verify(token, audience=STOREFRONT)).subject == "customer-42"
    with pytest.raises(InvalidToken, match="not for"):
        await checking.verify(token, audience=STAFF)
    assert len(checked) == 2
    later = time.time() + MAX_TOKEN_LIFETIME.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    await checking.verify(token, audience=STOREFRONT)  # the signature library's clock is not moved
    assert len(checked) == 3, "past its expiry, memory does not answer for the token"


async def test_no_more_tokens_are_remembered_than_the_bound(keys: LocalKeySet) -> None:
    checking = JwksVerifier(jwks_from_file(keys.path), issuer=LOCAL_ISSUER, remembered=2)
    for n in range(5):
        await checking.verify(issue_token(keys, subject=f"customer-{n}", audience=STOREFRONT), audience=STOREFRONT)
    assert [principal.subject for principal in checking._verified.values()] == ["customer-3", "customer-4"]


def test_no_token_lives_longer_than_an_hour(keys: LocalKeySet) -> None:
    with pytest.raises(ValueError, match="at most"):
        staff_token(keys, ttl=timedelta(hours=2))


def test_the_key_file_holds_private_keys_for_its_owner_only_and_publishes_public_ones(keys: LocalKeySet) -> None:
    keys.signing_key()
    assert keys.path.stat().st_mode & 0o777 == 0o600
    [published] = keys.public_jwks()["keys"]
    assert "d" not in published
    assert (published["kty"], published["crv"], published["alg"]) == ("OKP", "Ed25519", "EdDSA")


def test_an_edge_with_a_route_neither_public_nor_guarded_is_not_built() -> None:
    router = APIRouter()

    @router.get("/profiles")
    async def profiles() -> None:
        return None

    with pytest.raises(UnguardedRoutes, match="GET /profiles"):
        create_edge(title="open door", routers=[router])


def test_a_route_neither_public_nor_guarded_is_found_and_the_operations_routes_are_public() -> None:
    router = APIRouter()

    @router.get("/profiles/{profile_id}")
    async def forgotten(profile_id: str) -> None:
        return None

    @router.post("/erasure-requests", dependencies=[requires("crm:erase")])
    async def erase() -> None:
        return None

    guarded = APIRouter(dependencies=[Depends(lambda: None)])

    @guarded.get("/analytics")
    async def analytics(who: Principal = requires("crm:read")) -> None:
        return None

    app = create_edge(title="half guarded", routers=[router, guarded], deny_unguarded=False)
    assert unguarded_routes(app) == ["GET /profiles/{profile_id}"]
    assert guards(app)["POST /erasure-requests"] == "scopes:crm:erase"
    assert guards(app)["GET /analytics"] == "scopes:crm:read"


async def test_the_operators_commands_issue_a_token_services_accept_and_rotate_the_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RELOOP_SIGNING_KEYS", str(tmp_path / "keys.json"))
    issue = ["token", "issue", "--subject", "ops-1", "--scope", "inventory:count", "--ttl", "600"]
    assert await run_command(issue) == 0
    token = capsys.readouterr().out.strip()
    assert await run_command(["keys", "rotate"]) == 0
    listed = capsys.readouterr().out.splitlines()
    keys = LocalKeySet(tmp_path / "keys.json")
    principal = await jwks_verifier(str(keys.path), issuer=LOCAL_ISSUER).verify(token, audience=STAFF)
    assert (principal.subject, principal.scopes) == ("ops-1", frozenset({"inventory:count"}))
    assert [line.split()[1] for line in listed] == ["verifies", "signs"]


async def run_command(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    return int(await args.run(args) or 0)


async def test_a_service_trusts_the_key_set_its_settings_name(keys: LocalKeySet) -> None:
    router = APIRouter()

    @router.post("/stock-counts", dependencies=[requires("inventory:count")])
    async def count() -> dict[str, bool]:
        return {"counted": True}

    runtime = ServiceRuntime("inventory", RuntimeSettings(jwks=str(keys.path)), configure_process=False)
    app = create_app(runtime, title="inventory", routers=[router])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://inventory") as client:
        token = staff_token(keys, "inventory:count")
        counted = await client.post("/stock-counts", headers={"Authorization": f"Bearer {token}"})
        health = await client.get("/healthz")
    assert counted.json() == {"counted": True}
    assert health.status_code == 200
    assert guards(app)["GET /healthz"] == "public"

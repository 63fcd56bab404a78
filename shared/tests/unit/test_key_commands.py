"""The key job's commands (docker compose runs them before any service): a public key set services
verify with and cannot sign with, and one key-encryption key file every service wraps under."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reloop_shared.auth.principal import STAFF
from reloop_shared.auth.tokens import LOCAL_ISSUER
from reloop_shared.auth.verification import jwks_verifier
from reloop_shared.cli.main import build_parser


async def run_command(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    return int(await args.run(args) or 0)


async def test_the_published_key_set_holds_public_keys_only_and_verifies_the_issuers_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RELOOP_SIGNING_KEYS", str(tmp_path / "signing" / "keys.json"))
    jwks = tmp_path / "public" / "jwks.json"
    assert await run_command(["keys", "publish", "--out", str(jwks)]) == 0
    published = json.loads(jwks.read_text())
    assert [set(key) & {"d", "jwk"} for key in published["keys"]] == [set()]  # no private part
    assert await run_command(["token", "issue", "--subject", "ops-1", "--scope", "crm:audit"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    principal = await jwks_verifier(str(jwks), issuer=LOCAL_ISSUER).verify(token, audience=STAFF)
    assert principal.subject == "ops-1"


async def test_publishing_again_keeps_the_signing_key_so_issued_tokens_stay_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELOOP_SIGNING_KEYS", str(tmp_path / "keys.json"))
    jwks = tmp_path / "jwks.json"
    await run_command(["keys", "publish", "--out", str(jwks)])
    first = json.loads(jwks.read_text())
    await run_command(["keys", "publish", "--out", str(jwks)])
    assert json.loads(jwks.read_text()) == first


async def test_the_key_encryption_key_file_is_made_once_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RELOOP_KEY_ENCRYPTION_KEYS", str(tmp_path / "kek.json"))
    assert await run_command(["keys", "create-kek"]) == 0
    assert await run_command(["keys", "create-kek"]) == 0
    first, second = capsys.readouterr().out.split()
    assert first == second
    assert (tmp_path / "kek.json").stat().st_mode & 0o777 == 0o600

"""`python -m trade_in` for the trade-in benches: its own process, fresh database and topic
namespace (`ServiceProcess`), plus a token issuer of the bench's own that the service trusts, so
the bench calls the real edge as staff and as customers."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from bench.services import ServiceProcess
from reloop_localstack.stack import Endpoints
from reloop_shared.auth.keys import LocalKeySet
from reloop_shared.auth.principal import STAFF, STOREFRONT
from reloop_shared.auth.tokens import issue_token


class TradeInProcess(ServiceProcess):
    def __init__(self, endpoints: Endpoints) -> None:
        namespace = f"bench{uuid.uuid4().hex[:6]}"
        self.keys = LocalKeySet(Path(tempfile.mkdtemp(prefix="bench-keys-")) / "signing-keys.json")
        self.keys.signing_key()
        super().__init__(
            endpoints,
            "trade_in",
            "TRADE_IN_",
            namespace,
            extra_env={
                "RELOOP_JWKS": str(self.keys.path),
                # Its own consumer group: a bench never shares offsets with another run's.
                "TRADE_IN_CONSUMER_GROUP_SUFFIX": f"-{namespace}",
                "TRADE_IN_RELAY_BATCH_SIZE": "1000",
            },
        )

    def staff(self, *scopes: str) -> dict[str, str]:
        token = issue_token(self.keys, subject="bench-back-office", audience=STAFF, scopes=list(scopes))
        return {"Authorization": f"Bearer {token}"}

    def customer(self, customer_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.keys, subject=customer_id, audience=STOREFRONT)}"}

"""`python -m trade_in`: serve the trade-in HTTP API, its outbox relay, consumers and sweeps."""

from __future__ import annotations

from reloop_shared.http.serve import serve
from trade_in.bootstrap import build


def main() -> None:
    runtime, app = build()
    serve(app, runtime.settings)


if __name__ == "__main__":
    main()

"""schemathesis hooks for the run without credentials: a guarded operation refuses whatever it is
sent, before reading it. Loaded by the fuzzer's process (`SCHEMATHESIS_HOOKS`), not by pytest."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.check
def refused_without_credentials(ctx: Any, response: Any, case: Any) -> bool:
    """401 (who is calling cannot be told) or 403; never an answer about the request itself."""
    if response.status_code not in (401, 403):
        raise AssertionError(f"{case.operation.label} answered {response.status_code} to a caller without credentials")
    return True

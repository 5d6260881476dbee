"""The fake `sesflow local` serves (imported only when it runs: it loads `sesflow.testing`)."""

from __future__ import annotations

from typing import Any

from sesflow.testing import FakeSES

__all__ = ["LocalSES"]


class LocalSES(FakeSES):
    """The fake `sesflow local` serves: `reset()` returns to the state it started in.

    The identities given with `--verify` are verified again after every reset
    (`POST /_sesflow/reset`), so a test suite can reset between tests and keep sending.

    Examples:
        >>> local = LocalSES(startup_verified=("news@example.com",))
        >>> local.reset()
        >>> local.identity_state("news@example.com").verified_for_sending
        True
    """

    def __init__(self, *, startup_verified: tuple[str, ...] = (), **options: Any) -> None:
        self.startup_verified = startup_verified
        super().__init__(**options)
        self.verify(*startup_verified)

    def reset(self) -> None:
        super().reset()
        self.verify(*self.startup_verified)

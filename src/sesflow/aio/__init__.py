"""Placeholder for `sesflow.aio` (the lead's AsyncSES replaces this file at merge)."""

from ._events import OptOut, handle_sns, handle_unsubscribe

__all__ = ["OptOut", "handle_sns", "handle_unsubscribe"]

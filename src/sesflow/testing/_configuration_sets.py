"""Configuration sets, stored as given: enough for identities and sends to refer to them.

SES answers ``GetConfigurationSet`` with the effective value of every option, so the fake fills
in the defaults of options never set; a send naming a configuration set that does not exist is
refused with ``NotFoundException``, and one whose ``SendingOptions.SendingEnabled`` is false with
``SendingPausedException``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from sesflow.testing._fake import FakeError, FakeSESBase, operation

__all__: list[str] = []

_CONFIGURATION_SET_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")


class _ConfigurationSetOps(FakeSESBase):
    """Configuration sets, stored as given (enough for identities to refer to them)."""

    _configuration_sets: dict[str, tuple[int, dict[str, Any]]]

    def _reset_state(self) -> None:
        super()._reset_state()
        self._configuration_sets = {}

    def _repr_parts(self) -> list[str]:
        return [*super()._repr_parts(), f"configuration_sets={len(self._configuration_sets)}"]

    def _configuration_set(self, name: str) -> dict[str, Any]:
        entry = self._configuration_sets.get(name)
        if entry is None:
            raise FakeError("NotFoundException", f"Configuration set <{name}> does not exist.")
        return entry[1]

    @operation("CreateConfigurationSet")
    def _create_configuration_set(self, params: Mapping[str, Any]) -> None:
        name = params["ConfigurationSetName"]
        if not _CONFIGURATION_SET_NAME.match(name):
            raise FakeError(
                "BadRequestException",
                f"Invalid configuration set name <{name}>: use at most 64 letters, digits, "
                "underscores and dashes.",
            )
        if name in self._configuration_sets:
            raise FakeError("AlreadyExistsException", f"Configuration set <{name}> already exists.")
        options = {key: copy.deepcopy(value) for key, value in params.items()}
        del options["ConfigurationSetName"]
        self._configuration_sets[name] = (self._next_sequence(), options)

    @operation("GetConfigurationSet")
    def _get_configuration_set(self, params: Mapping[str, Any]) -> dict[str, Any]:
        name = params["ConfigurationSetName"]
        options = copy.deepcopy(self._configuration_set(name))
        # SES answers with the effective value of options never set, so code reading e.g.
        # SendingOptions.SendingEnabled sees what applies.
        result: dict[str, Any] = {
            "ConfigurationSetName": name,
            "DeliveryOptions": {"TlsPolicy": "OPTIONAL"},
            "ReputationOptions": {"ReputationMetricsEnabled": False},
            "SendingOptions": {"SendingEnabled": True},
            "Tags": [],
        }
        for key, value in options.items():
            default = result.get(key)
            if isinstance(default, dict) and isinstance(value, dict):
                value = {**default, **value}
            result[key] = value
        return result

    @operation("ListConfigurationSets")
    def _list_configuration_sets(self, params: Mapping[str, Any]) -> dict[str, Any]:
        wanted = _filters(params, {"CONFIGURATION_SET_NAME_CONTAINS"})
        needle = wanted.get("CONFIGURATION_SET_NAME_CONTAINS", "").lower()
        items = [
            (sequence, name)
            for name, (sequence, _) in self._configuration_sets.items()
            if needle in name.lower()
        ]
        page, token = self._paginate("configuration-sets", items, params)
        return {"ConfigurationSets": page, "NextToken": token}

    @operation("DeleteConfigurationSet")
    def _delete_configuration_set(self, params: Mapping[str, Any]) -> None:
        name = params["ConfigurationSetName"]
        self._configuration_set(name)
        del self._configuration_sets[name]

    def _configuration_set_sending_enabled(self, name: str) -> bool:
        options = self._configuration_set(name)
        return bool((options.get("SendingOptions") or {}).get("SendingEnabled", True))


def _filters(params: Mapping[str, Any], known: set[str]) -> dict[str, str]:
    wanted = dict(params.get("Filter") or {})
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise FakeError("BadRequestException", f"Unknown filter key(s) {unknown}.")
    return wanted

"""What the named SES resources (templates, pools, configuration sets) share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._validate import validate_name

if TYPE_CHECKING:
    from ._ses import SES

__all__ = ["NamedResource"]


class NamedResource:
    """A resource SES knows by a name of ≤ 64 letters, digits, `-` and `_`.

    Equal when of the same kind and name; nothing is sent to AWS on construction.
    """

    def __init__(self, ses: SES, name: str) -> None:
        self._ses = ses
        self._name = validate_name(name, field="name")

    @property
    def name(self) -> str:
        """The resource's name.

        Examples:
            >>> ses.template("welcome").name
            'welcome'
        """
        return self._name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._name!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, NamedResource)
            and type(other) is type(self)
            and (other._name == self._name)
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._name))

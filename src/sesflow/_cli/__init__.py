"""The `sesflow` command line: a thin layer over the public API (standard-library argparse).

`main()` is the console script (`[project.scripts] sesflow = "sesflow._cli:main"`) and
`python -m sesflow`. Each command lives in a module named after its concept; `_app` builds
the tree, the one `SES` object and the error handling, `_output` the tables and JSON.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._app import run

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `sesflow` command line with `argv` (default `sys.argv[1:]`); return the exit code.

    0 on success, 1 on an error (one `sesflow: error:` line on stderr), 2 on a usage error,
    130 when interrupted.

    Examples:
        >>> from sesflow._cli import main
        >>> main(["--json", "account"])
        0
    """
    return run(argv)

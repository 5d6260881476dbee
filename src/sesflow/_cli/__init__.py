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
        >>> with FakeSES() as local:  # `sesflow local`, in-process
        ...     main(["--endpoint-url", local.serve(), "identity", "create", "alice@example.com"])
        identity              alice@example.com
        type                  EMAIL_ADDRESS
        verification_status   PENDING
        verified_for_sending  no
        <BLANKLINE>
        SES has emailed a verification link to alice@example.com (it expires after 24 hours).
        Wait for the click with: sesflow identity wait alice@example.com
        0
    """
    return run(argv)

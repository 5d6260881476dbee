"""`python -m sesflow`: the same as the `sesflow` command."""

from sesflow._cli import main

raise SystemExit(main())

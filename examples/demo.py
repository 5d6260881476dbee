"""The walkthrough `sesflow demo` runs, offline on the embedded fake SES."""

import runpy
import sys

# The same as typing `sesflow demo` (or `python -m sesflow demo`): the command line is the
# public entry point of the demo.
sys.argv = ["sesflow", "demo"]
try:
    runpy.run_module("sesflow", run_name="__main__")
except SystemExit as stop:  # the command's exit status: 0 is success
    if stop.code:
        raise

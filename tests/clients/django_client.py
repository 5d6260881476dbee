"""Run a docs page's Django blocks (settings, then sending code) against `sesflow local`.

Run by tests/test_local_clients.py with the Python of the environment that has Django and the
mail backend (.venv-clients/latest), never with sesflow's own. Usage:
python django_client.py SETTINGS_FILE SEND_FILE
"""

from __future__ import annotations

import sys
from pathlib import Path

import django
from django.conf import settings

settings_code = Path(sys.argv[1]).read_text(encoding="utf-8")
send_code = Path(sys.argv[2]).read_text(encoding="utf-8")
names: dict[str, object] = {}
exec(compile(settings_code, "settings.py", "exec"), names)
settings.configure(**{key: value for key, value in names.items() if key.isupper()})
django.setup()
exec(compile(send_code, "send.py", "exec"), {"__name__": "__main__"})
print("sent")

"""Handling sesflow's errors: one tree, typed, with what SES said kept.

Run as a script it plays against the offline fake SES.
"""

from __future__ import annotations

import sesflow
from sesflow.testing import FakeClock, FakeSES


# --8<-- [start:errors]
def check_sender(ses: sesflow.SES, address: str) -> str:
    try:
        identity = ses.identity(address)  # ValidationError here: no call was made
        identity.refresh()
        identity.wait_until_verified(timeout=120, poll_interval=10)
    except sesflow.ValidationError as exc:
        return f"bad input in {exc.field}: {exc}"
    except sesflow.NotFoundError:
        return f"{address} is not an identity in {ses.region}; create it first"
    except sesflow.VerificationFailedError as exc:
        return f"{exc.check} failed: {exc.error_type}"
    except sesflow.WaiterTimeoutError as exc:
        return f"still {exc.last_status} after {exc.polls} polls"
    except sesflow.ApiError as exc:  # anything else AWS said; the botocore error is chained
        return f"{exc.operation} failed: {exc.code} (request {exc.request_id})"
    return f"{address} is verified"


# --8<-- [end:errors]


if __name__ == "__main__":
    clock = FakeClock()
    fake = FakeSES(clock=clock)
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    ses.identity("pending@example.com").create()
    ses.identity("done@example.com").create()
    fake.set_status("done@example.com", verification="SUCCESS")
    for address in ("not-an-address", "nobody@example.com", "pending@example.com",
                    "done@example.com"):  # fmt: skip
        print(check_sender(ses, address))

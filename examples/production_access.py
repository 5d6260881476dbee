"""Leaving the sandbox: look at the account, request production access, watch the review.

Run as a script it plays against the offline fake SES, which grants the request.
"""

from __future__ import annotations

import sesflow
from sesflow.testing import FakeSES


# --8<-- [start:request]
def request_access(ses: sesflow.SES) -> sesflow.Account:
    account = ses.account()
    print(account)  # in_sandbox=True, 1/s, 200 per 24 h in a new account
    if account.in_sandbox and account.review is None:
        account = account.request_production_access(
            sesflow.MailType.MARKETING,
            "https://example.com",
            use_case_description="A monthly newsletter to customers who opted in; "
            "bounces and complaints are handled through an SNS webhook.",
            additional_contacts=["ops@example.com"],
        )
    if account.review is not None:
        print("review", account.review.case_id, account.review.status.value)
    return account


# --8<-- [end:request]


if __name__ == "__main__":
    fake = FakeSES(sandbox=True)
    ses = sesflow.SES(client=fake.client())
    before = request_access(ses)
    fake.grant_production_access()  # AWS answers, usually within 1-2 hours
    after = ses.account()
    print(
        f"quota before: {before.quota.max_24_hour_send:g}/24 h at {before.quota.max_send_rate:g}/s"
    )
    print(f"quota after:  {after.quota.max_24_hour_send:g}/24 h at {after.quota.max_send_rate:g}/s")

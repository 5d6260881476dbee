"""Drive `sesflow local` with plain boto3, as any application would; print what happened.

Run by tests/test_local_clients.py with the Python of another environment (boto3 at
sesflow's supported minimum, or the newest), never with sesflow's own: it imports boto3 only.
Usage: python boto3_client.py ENDPOINT_URL NAME
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore

url, name = sys.argv[1], sys.argv[2]
client = boto3.client(
    "sesv2",
    endpoint_url=url,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
requests: list[tuple[str, str, str]] = []


def remember(request: Any, operation_name: str = "", **_: Any) -> None:
    requests.append((operation_name, request.method, urlsplit(request.url).path))


client.meta.events.register("request-created.sesv2", remember)

domain = f"{name}.example.org"
client.create_email_identity(EmailIdentity=domain)
identities: list[str] = []
token = None
while True:  # one page at a time, so the paging token travels too
    if token:
        page = client.list_email_identities(PageSize=1, NextToken=token)
    else:
        page = client.list_email_identities(PageSize=1)
    identities += [item["IdentityName"] for item in page["EmailIdentities"]]
    token = page.get("NextToken")
    if not token:
        break
client.create_configuration_set(ConfigurationSetName=f"set-{name}")
sets = client.list_configuration_sets()["ConfigurationSets"]
client.create_email_template(
    TemplateName=f"welcome-{name}",
    TemplateContent={
        "Subject": "Welcome, {{name}}!",
        "Text": "Hi {{name}}",
        "Html": "<p>Hi {{name}}</p>",
    },
)
sender = "news@example.com"
client.send_email(
    FromEmailAddress=sender,
    Destination={"ToAddresses": [f"plain-{name}@example.net"]},
    Content={"Simple": {"Subject": {"Data": "Plain"}, "Body": {"Text": {"Data": "Just text"}}}},
)
client.send_email(
    FromEmailAddress=sender,
    Destination={"ToAddresses": [f"html-{name}@example.net"], "CcAddresses": ["cc@example.net"]},
    Content={
        "Simple": {
            "Subject": {"Data": "With attachment"},
            "Body": {"Text": {"Data": "See it"}, "Html": {"Data": "<p>See <b>it</b></p>"}},
            "Attachments": [
                {"FileName": "data.csv", "RawContent": b"a,b\n1,2\n", "ContentType": "text/csv"}
            ],
        }
    },
    ConfigurationSetName=f"set-{name}",
    EmailTags=[{"Name": "client", "Value": name}],
)
client.send_email(
    FromEmailAddress=sender,
    Destination={"ToAddresses": [f"ann-{name}@example.net"]},
    Content={"Template": {"TemplateName": f"welcome-{name}", "TemplateData": '{"name": "Ann"}'}},
)
bulk = client.send_bulk_email(
    FromEmailAddress=sender,
    DefaultContent={"Template": {"TemplateName": f"welcome-{name}", "TemplateData": "{}"}},
    BulkEmailEntries=[
        {
            "Destination": {"ToAddresses": [f"{who}-{name}@example.net"]},
            "ReplacementEmailContent": {
                "ReplacementTemplate": {"ReplacementTemplateData": json.dumps({"name": who})}
            },
        }
        for who in ("Bob", "Cy")
    ],
    ConfigurationSetName=f"set-{name}",
)
print(
    json.dumps(
        {
            "boto3": boto3.__version__,
            "botocore": botocore.__version__,
            "requests": requests,
            "identities": identities,
            "configuration_sets": sets,
            "bulk": [entry["Status"] for entry in bulk["BulkEmailEntryResults"]],
        }
    )
)

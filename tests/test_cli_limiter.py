"""`--limiter URL` on the commands that send: the URL's scheme picks the backend (Redis), and
every send of the command takes its recipients from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from conftest import delete_keys, free_port
from sesflow._cli import main
from sesflow.testing import FakeSES

KEY = "sesflow:limiter:us-east-1"  # the default: one per region


@pytest.fixture
def served() -> Iterator[FakeSES]:
    with FakeSES(max_send_rate=1000, max_24_hour_send=-1) as fake:
        fake.serve()
        fake.verify("news@example.com")
        fake.client().create_email_template(
            TemplateName="spring", TemplateContent={"Subject": "Hi", "Text": "Hello {{name}}"}
        )
        yield fake


@pytest.fixture
def limiter_url(redis_url: str) -> Iterator[str]:
    """The test Redis, in a database of these tests' own: the CLI uses the default key."""
    url = redis_url.rsplit("/", 1)[0] + "/13"
    delete_keys(url, KEY)
    yield url
    delete_keys(url, KEY)


def _cli(fake: FakeSES, *argv: str) -> int:
    assert fake.endpoint_url is not None
    return main(["--endpoint-url", fake.endpoint_url, "--region", "us-east-1", *argv])


def _state(url: str) -> dict[str, str]:
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        return {str(k): str(v) for k, v in client.hgetall(f"{{{KEY}}}:state").items()}
    finally:
        client.close()


def test_send_bulk_paces_on_the_limiter_it_names(
    served: FakeSES, limiter_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipients = tmp_path / "list.csv"
    recipients.write_text("email,name\n" + "".join(f"r{i}@example.net,R{i}\n" for i in range(120)))
    code = _cli(
        served,
        "send-bulk", "--from", "news@example.com", "--template", "spring",
        "--recipients", str(recipients), "--no-progress", "--limiter", limiter_url,
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Sent 120 of 120 recipients" in out
    # Every call took its entries from Redis: the shared state counted them.
    assert int(_state(limiter_url)["seq"]) == served.call_count("SendBulkEmail")


def test_send_takes_its_recipients_from_the_limiter(
    served: FakeSES, limiter_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "body.txt").write_text("Hello")
    code = _cli(
        served,
        "send", "--from", "news@example.com", "--to", "a@example.com", "b@example.com",
        "--subject", "Hi", "--text", str(tmp_path / "body.txt"), "--limiter", limiter_url,
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert int(_state(limiter_url)["total"]) == 2


def test_an_unknown_scheme_is_refused_before_anything_is_sent(
    served: FakeSES, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "body.txt").write_text("Hello")
    code = _cli(
        served,
        "send", "--from", "news@example.com", "--to", "a@example.com", "--subject", "Hi",
        "--text", str(tmp_path / "body.txt"), "--limiter", "memcached://cache:11211",
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "--limiter: unknown scheme 'memcached'" in err
    assert served.call_count("SendEmail") == 0


def test_an_unreachable_limiter_stops_the_campaign_with_a_clear_error(
    served: FakeSES, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipients = tmp_path / "list.csv"
    recipients.write_text("email,name\na@example.net,A\n")
    code = _cli(
        served,
        "send-bulk", "--from", "news@example.com", "--template", "spring",
        "--recipients", str(recipients), "--no-progress",
        "--limiter", f"redis://127.0.0.1:{free_port()}/0",
    )  # fmt: skip
    ran = capsys.readouterr()
    assert code == 1
    assert "sesflow: error: the rate limiter's Redis (127.0.0.1:" in ran.err
    assert "Sent 0 of 1 recipients" in ran.out
    assert served.call_count("SendBulkEmail") == 0

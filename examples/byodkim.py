"""Bring your own DKIM key: SES signs with your RSA key; you publish its public half.

Make a key with `openssl genrsa -out dkim-private.pem 2048`. Run as a script, this
generates a throwaway key and plays against the offline fake SES.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import sesflow
from sesflow.testing import FakeSES


# --8<-- [start:byodkim]
def set_up_byodkim(ses: sesflow.SES, domain: str, pem_path: Path) -> sesflow.Domain:
    key = sesflow.Byodkim("sesflow1", pem_path.read_text())  # checked here, before any call
    dom = ses.domain(domain).create(dkim=key)
    for record in dom.dns_records(dmarc=None):
        print(record.to_bind())  # sesflow1._domainkey.<domain>. 1800 IN TXT "p=MIIBIj..." ...
    return dom


# --8<-- [end:byodkim]


def _throwaway_key(folder: Path) -> Path:
    # What `openssl genrsa` would write; `cryptography` is one of sesflow's dev extras.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = folder / "dkim-private.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        ses = sesflow.SES(client=FakeSES().client())
        set_up_byodkim(ses, "example.com", _throwaway_key(Path(tmp)))

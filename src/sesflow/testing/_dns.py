"""FakeDNS: a small authoritative DNS server on loopback, serving zones a test writes.

It speaks the DNS wire protocol over UDP and TCP on `127.0.0.1` (a free port, a daemon
thread each), built on dnspython's message and zone APIs, so a resolver — `SES.doctor()`'s
among them — asks it exactly as it asks a real nameserver: answers carry the AA flag, a name
that does not exist gets NXDOMAIN and a name without the type NODATA (both with the zone's SOA),
CNAMEs inside a zone are followed, a name in no zone is REFUSED, an answer too big for UDP
comes back truncated (TC) so the resolver retries over TCP. Wildcards and delegations are not
modelled.

Every zone gets an SOA and an NS record naming `ns1.<zone>`, whose A record is the server's
own address: a resolver looking for a zone's nameservers (as the doctor does) is sent back
here. dnspython (`pip install 'sesflow[dns]'`) is imported when a `FakeDNS` is made.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Self

__all__ = ["FakeDNS"]

_MAX_CNAMES = 8


def _dnspython() -> Any:
    try:
        import dns.exception
        import dns.flags
        import dns.message
        import dns.name
        import dns.rcode
        import dns.rdata
        import dns.rdataclass
        import dns.rdataset
        import dns.rdatatype
        import dns.resolver
        import dns.rrset
        import dns.zone
    except ImportError as exc:
        raise ImportError(
            "FakeDNS needs the 'dnspython' package: pip install 'sesflow[dns]'"
        ) from exc
    return dns


class FakeDNS:
    """An authoritative DNS server on loopback for tests, serving the zones you give it.

    It starts serving when made and stops at `stop()` (or the end of a `with` block).
    `add_zone()` takes zone-file text; `publish()` adds records (a sesflow `DnsRecords`, say)
    to the zone that holds them, making the zone if there is none; `unpublish()` removes
    them. `resolver()` is a `dns.resolver.Resolver` that asks this server; `queries` lists
    what was asked.

    Examples:
        ```python
        with FakeDNS() as dns:
            dns.add_zone("example.com", '''
                _dmarc  TXT  "v=DMARC1; p=none;"
                mail    MX   10 feedback-smtp.us-east-1.amazonses.com.
            ''')
            answer = dns.resolver().resolve("_dmarc.example.com", "TXT")
            assert answer[0].strings == (b"v=DMARC1; p=none;",)
            report = ses.doctor("example.com", resolver=dns.resolver())
        ```

    Args:
        host: The loopback address to serve on.
        port: The port (UDP and TCP); 0 picks a free one.
        ttl: The TTL of the records it makes (SOA, NS, published records without one).

    Raises:
        ImportError: dnspython is not installed (`pip install 'sesflow[dns]'`).
        ValueError: `host` is not a loopback address.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, ttl: int = 300) -> None:
        self._dns = _dnspython()
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError(f"FakeDNS serves on loopback only, not {host!r}")
        self._host = "127.0.0.1" if host == "localhost" else host
        self._ttl = ttl
        self._lock = threading.Lock()
        self._zones: dict[Any, Any] = {}
        self._queries: list[tuple[str, str]] = []
        self._stopped = threading.Event()
        self._udp, self._tcp = self._bind(port)
        self._port = int(self._udp.getsockname()[1])
        self._threads = [
            threading.Thread(target=self._serve_udp, name="FakeDNS-udp", daemon=True),
            threading.Thread(target=self._serve_tcp, name="FakeDNS-tcp", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _bind(self, port: int) -> tuple[socket.socket, socket.socket]:
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        for _ in range(20):
            udp = socket.socket(family, socket.SOCK_DGRAM)
            udp.bind((self._host, port))
            chosen = udp.getsockname()[1]
            tcp = socket.socket(family, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind((self._host, chosen))
            except OSError:
                udp.close()
                tcp.close()
                if port:
                    raise
                continue  # the TCP port of that number is taken: pick another
            tcp.listen(16)
            udp.settimeout(0.2)
            tcp.settimeout(0.2)
            return udp, tcp
        raise OSError("FakeDNS found no port free for both UDP and TCP")

    # --- where it serves --------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The address it serves on, e.g. `"127.0.0.1"`."""
        return self._host

    @property
    def port(self) -> int:
        """The port it serves on (UDP and TCP)."""
        return self._port

    def resolver(self, *, lifetime: float = 2.0) -> Any:
        """A `dns.resolver.Resolver` that asks this server (and nothing else).

        Examples:
            ```python
            resolver = dns.resolver()
            assert resolver.nameservers == ["127.0.0.1"] and resolver.port == dns.port
            ```
        """
        resolver = self._dns.resolver.Resolver(configure=False)
        resolver.nameservers = [self._host]
        resolver.port = self._port
        resolver.lifetime = lifetime
        resolver.timeout = lifetime
        return resolver

    @property
    def queries(self) -> list[tuple[str, str]]:
        """Every question received, oldest first: `(name, type)`, the name without the
        trailing dot.

        Examples:
            ```python
            dns.resolver().resolve("_dmarc.example.com", "TXT")
            assert dns.queries[-1] == ("_dmarc.example.com", "TXT")
            ```
        """
        with self._lock:
            return list(self._queries)

    # --- zones --------------------------------------------------------------------------

    def add_zone(self, origin: str, text: str = "") -> None:
        """Serve the zone `origin` with the records of `text` (zone-file syntax, names
        relative to `origin`); replaces a zone of that name.

        Without an SOA and NS record of its own, the zone gets an SOA and an NS record
        naming `ns1.<origin>` (this server).

        Examples:
            ```python
            dns.add_zone("example.com", '''
                abc._domainkey  CNAME  abc.dkim.amazonses.com.
                _dmarc          TXT    "v=DMARC1; p=reject; adkim=s"
            ''')
            ```

        Raises:
            ValueError: `text` is not valid zone-file text.
        """
        dns = self._dns
        name = dns.name.from_text(origin.rstrip(".") + ".")
        lines = "\n".join(line.strip() for line in text.strip().splitlines())
        try:
            zone = dns.zone.from_text(
                f"$TTL {self._ttl}\n{lines}\n",
                origin=name,
                relativize=False,
                check_origin=False,
            )
        except dns.exception.DNSException as exc:
            raise ValueError(f"not valid zone-file text for {origin}: {exc}") from exc
        self._complete(zone)
        with self._lock:
            self._zones[name] = zone

    def _complete(self, zone: Any) -> None:
        dns = self._dns
        apex = zone.find_node(zone.origin, create=True)
        if apex.get_rdataset(dns.rdataclass.IN, dns.rdatatype.SOA) is None:
            rdataset = apex.find_rdataset(dns.rdataclass.IN, dns.rdatatype.SOA, create=True)
            rdataset.add(
                dns.rdata.from_text(
                    "IN",
                    "SOA",
                    "ns1 hostmaster 1 3600 600 86400 60",
                    origin=zone.origin,
                    relativize=False,
                ),
                self._ttl,
            )
        if apex.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS) is None:
            apex.find_rdataset(dns.rdataclass.IN, dns.rdatatype.NS, create=True).add(
                dns.rdata.from_text("IN", "NS", "ns1", origin=zone.origin, relativize=False),
                self._ttl,
            )
            address = "AAAA" if ":" in self._host else "A"
            node = zone.find_node(dns.name.from_text("ns1", zone.origin), create=True)
            node.find_rdataset(
                dns.rdataclass.IN, dns.rdatatype.from_text(address), create=True
            ).add(dns.rdata.from_text("IN", address, self._host), self._ttl)

    def zones(self) -> list[str]:
        """The names of the zones served, sorted.

        Examples:
            ```python
            dns.add_zone("example.com")
            assert dns.zones() == ["example.com"]
            ```
        """
        with self._lock:
            return sorted(str(name).rstrip(".") for name in self._zones)

    def _zone_of(self, name: Any) -> Any:
        best = None
        for origin, zone in self._zones.items():
            if name.is_subdomain(origin) and (best is None or len(origin) > len(best.origin)):
                best = zone
        return best

    def publish(self, records: Iterable[Any]) -> None:
        """Add `records` to the zones that hold them (a zone of each name's last two labels
        is made when none does).

        Each record is a sesflow `DnsRecord` (anything with `name`, `type`, `rdata` and
        `ttl`), or a `(name, type, rdata)` tuple in zone-file syntax, e.g.
        `("mail.example.com", "MX", "10 feedback-smtp.us-east-1.amazonses.com.")`.

        Examples:
            ```python
            dns.publish(ses.domain("example.com").create().dns_records())
            dns.publish([("_dmarc.example.com", "TXT", '"v=DMARC1; p=none;"')])
            ```
        """
        dns = self._dns
        for record in records:
            if isinstance(record, tuple):
                name, rdtype, rdata = record
                ttl = self._ttl
            else:
                name, rdtype, rdata, ttl = record.name, record.type, record.rdata, record.ttl
            owner = dns.name.from_text(str(name).rstrip(".") + ".")
            with self._lock:
                zone = self._zone_of(owner)
            if zone is None:
                self.add_zone(".".join(str(name).rstrip(".").split(".")[-2:]))
                with self._lock:
                    zone = self._zone_of(owner)
            value = dns.rdata.from_text(
                "IN", rdtype, str(rdata), origin=dns.name.root, relativize=False
            )
            with self._lock:
                node = zone.find_node(owner, create=True)
                node.find_rdataset(dns.rdataclass.IN, value.rdtype, create=True).add(
                    value, int(ttl)
                )

    def unpublish(self, name: str, rdtype: str | None = None) -> None:
        """Remove the records of `name` (only those of `rdtype`, if given).

        Examples:
            ```python
            dns.unpublish("_dmarc.example.com")
            dns.unpublish("mail.example.com", "MX")
            ```
        """
        dns = self._dns
        owner = dns.name.from_text(name.rstrip(".") + ".")
        with self._lock:
            zone = self._zone_of(owner)
            if zone is None:
                return
            if rdtype is None:
                zone.delete_node(owner)
            else:
                zone.delete_rdataset(owner, rdtype)

    # --- answering ----------------------------------------------------------------------

    def _answer(self, wire: bytes, *, limit: int | None) -> bytes | None:
        dns = self._dns
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        response = dns.message.make_response(query)
        if query.opcode() != 0 or len(query.question) != 1:
            response.set_rcode(dns.rcode.NOTIMP)
            return bytes(response.to_wire())
        question = query.question[0]
        with self._lock:
            self._queries.append(
                (str(question.name).rstrip("."), dns.rdatatype.to_text(question.rdtype))
            )
            zone = self._zone_of(question.name)
            if zone is None:
                response.set_rcode(dns.rcode.REFUSED)
            else:
                response.flags |= dns.flags.AA
                self._fill(zone, question.name, question.rdtype, response)
        size = limit if limit is not None else (query.payload if query.edns >= 0 else 512)
        try:
            return bytes(response.to_wire(max_size=max(size, 512)))
        except dns.exception.TooBig:
            truncated = dns.message.make_response(query)
            truncated.flags |= dns.flags.TC | dns.flags.AA
            return bytes(truncated.to_wire())

    def _fill(self, zone: Any, qname: Any, rdtype: Any, response: Any) -> None:
        dns = self._dns
        IN, CNAME = dns.rdataclass.IN, dns.rdatatype.CNAME  # noqa: N806
        name = qname
        for _ in range(_MAX_CNAMES):
            node = zone.get_node(name)
            if node is not None:
                found = node.get_rdataset(IN, rdtype)
                if found is not None:
                    response.answer.append(_rrset(dns, name, found))
                    return
                alias = node.get_rdataset(IN, CNAME)
                if alias is not None and rdtype != CNAME:
                    response.answer.append(_rrset(dns, name, alias))
                    name = alias[0].target
                    if not name.is_subdomain(zone.origin):
                        return  # out of this zone: the resolver follows it
                    continue
            elif not self._has_below(zone, name):
                response.set_rcode(dns.rcode.NXDOMAIN)
            break
        soa = zone.get_rdataset(zone.origin, dns.rdatatype.SOA)
        response.authority.append(_rrset(dns, zone.origin, soa))

    @staticmethod
    def _has_below(zone: Any, name: Any) -> bool:
        """Whether `name` is an empty non-terminal: no records, but names below it."""
        return any(other != name and other.is_subdomain(name) for other in zone.nodes)

    # --- serving ------------------------------------------------------------------------

    def _serve_udp(self) -> None:
        while not self._stopped.is_set():
            try:
                wire, peer = self._udp.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            answer = self._answer(wire, limit=None)
            if answer is not None:
                with contextlib.suppress(OSError):
                    self._udp.sendto(answer, peer)

    def _serve_tcp(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._tcp.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection, contextlib.suppress(OSError):
                connection.settimeout(2.0)
                while True:
                    header = _read(connection, 2)
                    if header is None:
                        break
                    wire = _read(connection, int.from_bytes(header, "big"))
                    if wire is None:
                        break
                    answer = self._answer(wire, limit=65535)
                    if answer is None:
                        break
                    connection.sendall(len(answer).to_bytes(2, "big") + answer)

    def stop(self) -> None:
        """Stop serving and close the sockets (nothing happens if already stopped).

        Examples:
            ```python
            dns.stop()
            ```
        """
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._wake()
        for thread in self._threads:
            thread.join(timeout=2.0)
        self._udp.close()
        self._tcp.close()

    def _wake(self) -> None:
        """Wake the serving threads from their wait, so they see the stop at once."""
        family = self._udp.family
        address = (self._host, self._port)
        with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.sendto(b"", address)
        with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_STREAM) as tcp:
            tcp.settimeout(1.0)
            tcp.connect(address)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped.is_set() else f"serving {self._host}:{self._port}"
        return f"FakeDNS({state}, zones={self.zones()})"


def _rrset(dns: Any, name: Any, rdataset: Any) -> Any:
    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype)
    rrset.update(rdataset)
    return rrset


def _read(connection: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data

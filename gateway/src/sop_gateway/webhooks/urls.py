"""Where webhooks may go (SSRF rules): http(s) only, no credentials in the URL, and a host
whose every address is global (public): never loopback, link-local (cloud metadata), private,
shared, multicast, reserved or unspecified. Development alone allows loopback, so a local
receiver works. Checked when a subscription is made or changed and again before each attempt
(DNS can change)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class RefusedUrl(ValueError):
    """A URL webhooks may not be sent to (the message says why)."""


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_loopback: bool) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return not allow_loopback
    return not ip.is_global or ip.is_multicast


def check_syntax(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RefusedUrl("the URL must be http or https")
    if not parts.hostname:
        raise RefusedUrl("the URL names no host")
    if parts.username or parts.password:
        raise RefusedUrl("the URL may not carry credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedUrl("the URL's port is not valid") from exc
    return parts.hostname, port


async def check_url(
    url: str, *, allow_loopback: bool
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """Raises `RefusedUrl` unless `url` may receive webhooks now; the address to connect to
    (the one checked, so a second lookup cannot swap in another: DNS rebinding)."""
    host, port = check_syntax(url)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError as exc:
            raise RefusedUrl(f"the host {host} does not resolve") from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
        if not addresses:
            raise RefusedUrl(f"the host {host} does not resolve")
    for ip in addresses:
        if _refused(ip, allow_loopback):
            raise RefusedUrl(
                f"the host {host} resolves to {ip}, which is not a public address; "
                "webhooks go only to public addresses"
            )
    return addresses[0]


def pinned(url: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> tuple[str, str]:
    """`url` with its host replaced by `address`, and the original host (for `Host` and TLS
    SNI and certificate checks)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = literal + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl(), host

"""The address a request came from, behind the TLS proxy production puts in front.

REMOTE_ADDR is the proxy's own address there: the access log, the login lockout's records and
the health report's network check would all see the proxy. X-Forwarded-For is believed only when
the request came from a proxy listed in TRUSTED_PROXIES (anyone can send the header); the client
is then the last address in it that is not one of those proxies (each proxy appends the address it
was reached from; what the client wrote itself stands to the left and is ignored).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(nets: tuple) -> tuple:
    return tuple(ipaddress.ip_network(net, strict=False) for net in nets)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address) -> bool:
    return address is not None and any(address in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a trusted proxy the nearest untrusted
    address it forwarded (None when there is none to tell)."""
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    if not _trusted(remote):
        return str(remote)
    forwarded = [_address(part) for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed(forwarded):
        if address is None:
            return str(remote)  # a hop that is not an address: believe nothing further left
        if not _trusted(address):
            return str(address)
    return str(remote)


def next_url(request, default: str) -> str:
    """Where a form sends the user back to (`next` posted or in the address) when it is an address
    of this site, else `default` (a URL): never another host, `//host` or `/\\host` included."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default

"""The network a client goes through: its proxy (explicit or from the environment), its TLS
context, and the extra headers it sends. Checked once, when the client is made; no I/O.

The proxy is decided here, once per client, not by aiohttp per request: with
``trust_env=True`` aiohttp would look the environment up (and read ``~/.netrc``, which could
replace our ``Authorization``) in a worker thread on every request. A client has one base URL,
so one decision is all it needs.

Proxy credentials are secrets like the API key: they are taken out of the proxy URL into a
``Proxy-Authorization`` header sent with each request, so aiohttp never holds a URL with
them, and every message here quotes the URL with its user info replaced by ``***``.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import ssl as _ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

import attrs
from yarl import URL

__all__ = ["RESERVED_HEADERS", "Network", "check_default_headers", "is_loopback", "redact_url"]

#: Headers ``default_headers`` may not set: the SDK's own (the key, the content it parses)
#: and those HTTP itself computes. ``User-Agent`` is allowed: it goes in front of ours.
RESERVED_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "accept",
        "content-type",
        "content-length",
        "transfer-encoding",
        "host",
        "x-vox-client",  # app_info= adds a layer to it
    }
)


def is_loopback(host: str) -> bool:
    """``localhost``, ``*.localhost`` or a loopback address (``127.0.0.0/8``, ``::1``)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def redact_url(url: str) -> str:
    """``url`` fit for a message: any user name and password replaced by ``***``."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        # No scheme (``user:pass@host:3128``) leaves netloc empty: cut at the "@" anyway.
        return "***@" + url.rpartition("@")[2] if "@" in url else url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()


@attrs.frozen(repr=False)
class Network:
    """Where requests go through: a proxy without credentials, its auth, and a TLS context."""

    proxy: URL | None = None
    #: ``Proxy-Authorization`` (a secret), for the CONNECT of an https base URL...
    proxy_headers: Mapping[str, str] | None = None
    #: ...or sent with each request of an http one (aiohttp sends ``proxy_headers`` only
    #: with a CONNECT).
    request_headers: Mapping[str, str] = attrs.field(factory=dict)
    ssl: _ssl.SSLContext | None = None

    @classmethod
    def build(
        cls, base_url: str, *, proxy: object, trust_env: object, ssl: object
    ) -> Network:
        """Check the client's network arguments; read the environment if ``trust_env``."""
        if not isinstance(trust_env, bool):
            raise TypeError(f"trust_env must be a bool, got {type(trust_env).__name__}")
        if ssl is not None and not isinstance(ssl, _ssl.SSLContext):
            raise TypeError(
                f"ssl must be an ssl.SSLContext or None, got {type(ssl).__name__}; for a "
                "private CA: ssl.create_default_context(cafile='ca.pem')"
            )
        if proxy is not None:
            if not isinstance(proxy, str):
                raise TypeError(f"proxy must be a str URL or None, got {type(proxy).__name__}")
            url, auth = _parse_proxy(proxy, source="proxy")
        elif trust_env and (found := _proxy_from_env(base_url)) is not None:
            url, auth = _parse_proxy(found[1], source=found[0])
        else:
            url, auth = None, None
        if auth is not None and not base_url.startswith("https:"):
            return cls(proxy=url, request_headers=auth, ssl=ssl)
        return cls(proxy=url, proxy_headers=auth, ssl=ssl)

    def __repr__(self) -> str:
        proxy = None if self.proxy is None else str(self.proxy)
        auth = bool(self.proxy_headers or self.request_headers)
        return f"Network(proxy={proxy!r}, proxy_auth={auth})"


def _parse_proxy(proxy: str, *, source: str) -> tuple[URL, dict[str, str] | None]:
    shown = redact_url(proxy)
    try:
        url = URL(proxy)
    except (ValueError, TypeError):
        raise ValueError(f"{source} is not a valid URL: {shown!r}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"{source} must be an http:// or https:// URL with a host, got {shown!r}")
    if url.raw_query_string or url.raw_fragment:
        raise ValueError(f"{source} must not have a query or fragment, got {shown!r}")
    auth = None
    if url.user is not None or url.password is not None:
        token = base64.b64encode(f"{url.user or ''}:{url.password or ''}".encode()).decode()
        auth = {"Proxy-Authorization": f"Basic {token}"}
    return url.with_user(None).with_password(None), auth


def _proxy_from_env(base_url: str) -> tuple[str, str] | None:
    """The variable and proxy URL the environment gives for ``base_url``, if any.

    ``HTTPS_PROXY`` for an https base URL, ``HTTP_PROXY`` for http, ``ALL_PROXY`` as a
    fallback (each lowercase name first, as curl and urllib read them); none when
    ``NO_PROXY`` covers the host, or when the host is loopback (a proxy cannot reach this
    machine's loopback).
    """
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if is_loopback(host) or _bypassed(host, port, _env("no_proxy") or ""):
        return None
    for scheme in (parts.scheme, "all"):
        if scheme == "http" and "REQUEST_METHOD" in os.environ:
            continue  # under CGI, HTTP_PROXY is a request header (httpoxy): never trusted
        if value := _env(f"{scheme}_proxy"):
            return f"{scheme.upper()}_PROXY", value
    return None


def _env(name: str) -> str | None:
    return os.environ.get(name) or os.environ.get(name.upper()) or None


def _bypassed(host: str, port: int, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` covers ``host``: ``*``, a domain (and its subdomains, with or
    without a leading dot), an address or network (``10.0.0.0/8``), optionally ``:port``."""
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if entry == "*":
            return True
        if entry.count(":") == 1:  # host:port (an IPv6 entry has more colons)
            entry, _, entry_port = entry.partition(":")
            if entry_port != str(port):
                continue
        entry = entry.strip("[]").lstrip(".")
        if not entry:
            continue
        if host == entry or host.endswith("." + entry) or _in_network(host, entry):
            return True
    return False


def _in_network(host: str, entry: str) -> bool:
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False


def check_default_headers(default_headers: object) -> dict[str, str]:
    """``default_headers`` as a dict of str, refusing the headers the SDK sets itself."""
    if default_headers is None:
        return {}
    if not isinstance(default_headers, Mapping):
        raise TypeError(
            f"default_headers must be a mapping of str to str, got {type(default_headers).__name__}"
        )
    headers: dict[str, str] = {}
    for name, value in default_headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError("default_headers must map str names to str values")
        if not name or any(c in name for c in " \t\r\n\0:"):
            raise ValueError(f"default_headers has an invalid header name: {name!r}")
        if any(c in value for c in "\r\n\0"):
            # The value is not quoted: it may be a token.
            raise ValueError(f"default_headers[{name!r}] holds a line break or NUL character")
        if name.lower() in RESERVED_HEADERS:
            raise ValueError(
                f"default_headers may not set {name!r}: the SDK sets it (the API key is "
                "api_key=, proxy credentials go in the proxy URL)"
            )
        headers[name] = value
    return headers

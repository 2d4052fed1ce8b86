"""Where a video may come from (SPEC §4, "a source is confined"): the one place these rules live.

- A local file: an absolute path whose real path (every symbolic link resolved) lies inside
  one of ``PUBLISHING_MEDIA_ROOTS``, naming a regular file of at most
  ``PUBLISHING_MAX_SOURCE_BYTES``. A link leading out of the roots is refused.
- A URL: ``https`` only, to a host named in ``PUBLISHING_SOURCE_HOSTS`` (empty: no URL at all),
  whose every resolved address is public (not loopback, private, link-local, multicast,
  reserved or unspecified, IPv4 hidden in IPv6 included). Redirects are followed one hop at a
  time and each hop is checked again; the size is bounded and the whole fetch has a deadline.

Videos are checked when they are registered (API, admin, clip watcher: ``check_source``) and
again when they are read for an upload (``open_local``, ``fetch``, ``check_url``): the file may
have been swapped for a link since, and rows stored before these rules may break them.

Error messages say which rule refused the source, never what a remote host answered (a
server's error text would turn the queue into a port scanner readable by every role).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import socket
import stat
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

from config.errors import InvalidInput

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 4 * 1024**3
MAX_REDIRECTS = 5
CHUNK = 1024 * 1024


class SourceRefused(InvalidInput):
    """The source breaks a rule (400 at the API). ``reason`` names the rule and is safe to show."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"The video source was refused: {reason}", errors={"source": [reason]})


class SourceMissing(SourceRefused):
    """No such file (yet), or a host that does not resolve: refused at registration, worth a
    retry at upload time (the file may still be syncing)."""


class FetchFailed(Exception):
    """A URL that passed every rule could not be fetched (connection, timeout, HTTP status).

    The message is one of ours ("connection refused", "HTTP 404"), never the remote's text."""


Resolver = Callable[[str, int], Sequence[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the outside world; tests pass their own)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True)
class Policy:
    """The rules in force. ``resolver`` and ``transport`` are the outside world (DNS and the
    network): production uses the system's; tests may pass their own."""

    media_roots: tuple[str, ...]
    hosts: tuple[str, ...]
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = 300.0
    max_redirects: int = MAX_REDIRECTS
    resolver: Resolver = resolve_host
    transport: httpx.BaseTransport | None = None


def policy(**overrides) -> Policy:
    """The policy the settings describe (``overrides`` replace single fields)."""
    roots = settings.PUBLISHING_MEDIA_ROOTS or [settings.MEDIA_ROOT]
    values = {
        "media_roots": tuple(str(root) for root in roots if str(root).strip()),
        "hosts": tuple(settings.PUBLISHING_SOURCE_HOSTS or ()),
        "max_bytes": int(settings.PUBLISHING_MAX_SOURCE_BYTES),
        "timeout": float(settings.PUBLISHING_HTTP_TIMEOUT),
    }
    values.update(overrides)
    return Policy(**values)


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_url(source: str) -> bool:
    """Whether ``source`` is meant as a URL (it has a scheme: https, but also file:, javascript:…,
    which the URL rules then refuse); every other source is a file path."""
    return not os.path.isabs(source) and bool(_SCHEME.match(source))


def check_source(source: str, *, rules: Policy | None = None) -> str:
    """The source to store, or SourceRefused naming the rule it breaks.

    Local files are stored as their real path (so the same file is registered once, and the
    path read at upload time holds no link). URLs are checked with their current DNS answer.
    """
    rules = rules or policy()
    if is_url(source):
        check_url(source, rules=rules)
        return source
    return check_local(source, rules=rules)


# --- local files -----------------------------------------------------------------------


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _roots(rules: Policy) -> list[tuple[str, str]]:
    """Each root as written (normalized) and as its real path."""
    return [(os.path.abspath(root), os.path.realpath(root)) for root in rules.media_roots if os.path.isabs(root)]


def _outside_roots(real: str, rules: Policy) -> bool:
    return not any(_inside(real, real_root) for _, real_root in _roots(rules))


def check_local(source: str, *, rules: Policy | None = None) -> str:
    """The real path of a local source that keeps to the rules; SourceRefused otherwise."""
    rules = rules or policy()
    where = "PUBLISHING_MEDIA_ROOTS"
    if not source or "\x00" in source or not os.path.isabs(source):
        raise SourceRefused(f"A local source must be an absolute path to a file under the media roots ({where}).")
    # The written path first (".." collapsed): a path outside every root is refused before it is
    # even looked at, so the answer never tells whether some file outside exists.
    lexical = os.path.abspath(source)
    if not any(_inside(lexical, root) or _inside(lexical, real) for root, real in _roots(rules)):
        raise SourceRefused(f"The file is outside the media roots ({where}).")
    try:
        real = os.path.realpath(source, strict=True)
    except (OSError, ValueError):  # ValueError: a name the file system cannot encode
        raise SourceMissing("The file was not found under the media roots.") from None
    if _outside_roots(real, rules):
        raise SourceRefused(f"The path leads outside the media roots ({where}) through a symbolic link.")
    try:
        info = os.stat(real)
    except (OSError, ValueError):
        raise SourceMissing("The file was not found under the media roots.") from None
    _check_file(info, rules)
    return real


def inside_media_roots(path: str | os.PathLike, *, rules: Policy | None = None) -> bool:
    """Whether ``path`` (a folder, say) really lies inside a media root."""
    return not _outside_roots(os.path.realpath(path), rules or policy())


def _check_file(info: os.stat_result, rules: Policy) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise SourceRefused("The source is not a regular file.")
    if info.st_size > rules.max_bytes:
        raise SourceRefused(f"The file is larger than {rules.max_bytes} bytes (PUBLISHING_MAX_SOURCE_BYTES).")


def _opened_path(fd: int) -> str | None:
    """The real path of an open file descriptor (Linux: /proc/self/fd), None where unknown."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def open_local(source: str, *, rules: Policy | None = None) -> BinaryIO:
    """Opens a local source for reading, checking the file actually opened, not just its name.

    The checked real path is opened with O_NOFOLLOW (a last component swapped for a link since
    the check is refused) and O_NONBLOCK (a FIFO cannot hang the worker); then the descriptor's
    own path must still lie inside a root (a directory swapped for a link is caught there) and
    the file must be regular and within the size bound.
    """
    rules = rules or policy()
    real = check_local(source, rules=rules)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except FileNotFoundError:
        raise SourceMissing("The file was not found under the media roots.") from None
    except OSError:  # ELOOP: the file became a link after the check
        raise SourceRefused("The file changed into a symbolic link or cannot be opened.") from None
    try:
        opened = _opened_path(fd)
        if opened is not None:
            if _outside_roots(opened, rules):
                raise SourceRefused("The path leads outside the media roots (PUBLISHING_MEDIA_ROOTS).")
        else:  # no /proc: the descriptor must be the very file that was checked
            now, then = os.fstat(fd), os.stat(real, follow_symlinks=False)
            if (now.st_dev, now.st_ino) != (then.st_dev, then.st_ino):
                raise SourceRefused("The file changed while it was being opened.")
        _check_file(os.fstat(fd), rules)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def copy_bounded(src: BinaryIO, out: BinaryIO, *, max_bytes: int) -> int:
    """Copies at most ``max_bytes`` (a file that grows past the bound is refused, not truncated)."""
    total = 0
    while chunk := src.read(CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise SourceRefused(f"The file is larger than {max_bytes} bytes (PUBLISHING_MAX_SOURCE_BYTES).")
        out.write(chunk)
    return total


# --- URLs ------------------------------------------------------------------------------

# IPv6 ranges that carry an IPv4 address inside: the IPv4 one is what is reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def forbidden_address(address: str) -> bool:
    """Whether a fetch may not go to ``address`` (anything but a public unicast address)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d
            return forbidden_address(str(ip.ipv4_mapped))
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and forbidden_address(str(embedded)):
            return True
    return (
        not ip.is_global
        or ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
    )


def _host_allowed(host: str, allowed: Sequence[str]) -> bool:
    """Exact names; ``*.example.com`` allows the subdomains of example.com."""
    for entry in allowed:
        entry = entry.strip().lower().rstrip(".")
        if not entry:
            continue
        if entry.startswith("*."):
            if host.endswith(entry[1:]) and host != entry[2:]:
                return True
        elif host == entry:
            return True
    return False


@dataclass(frozen=True)
class Target:
    """A URL that passed the rules, with the addresses it was checked against."""

    url: str
    host: str
    port: int
    addresses: tuple[str, ...]


def check_url(url: str, *, rules: Policy | None = None) -> Target:
    """SourceRefused unless ``url`` is https to an allowed host resolving only to public addresses.

    A name that does not resolve is refused too (SourceMissing: it may resolve later).
    """
    rules = rules or policy()
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        raise SourceRefused("The URL is not valid.") from None
    if parts.scheme.lower() != "https":
        raise SourceRefused("A URL source must use https.")
    if parts.username is not None or parts.password is not None:
        raise SourceRefused("A URL source must not carry a user name or password.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise SourceRefused("The URL is not valid.")
    if not _host_allowed(host, rules.hosts):
        raise SourceRefused(f"The host {host} is not an allowed source host (PUBLISHING_SOURCE_HOSTS).")
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        try:
            addresses = list(dict.fromkeys(rules.resolver(host, port)))
        except (OSError, UnicodeError):
            raise SourceMissing(f"The host {host} could not be resolved.") from None
    if not addresses:
        raise SourceMissing(f"The host {host} could not be resolved.")
    if any(forbidden_address(address) for address in addresses):
        raise SourceRefused(
            f"The host {host} resolves to an address that is not public (loopback, private, link-local or reserved)."
        )
    return Target(url=url, host=host, port=port, addresses=tuple(addresses))


def _fetch_reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or unreachable"
    return "the connection failed"


def fetch(url: str, out: BinaryIO, *, rules: Policy | None = None) -> int:
    """Streams ``url`` into ``out`` under the rules; returns the bytes written.

    Each hop (the URL, then every redirect) is checked by ``check_url`` and the connection goes
    to an address that check resolved and approved: the request names the address itself and
    keeps the host name in the Host header and in TLS (the ``sni_hostname`` extension, also
    what the certificate is verified against). Resolving once and connecting to that answer
    leaves no second lookup for a rebinding DNS server to turn towards an internal address.
    ``trust_env=False``: no proxy from the environment (it would resolve the name again).
    Raises SourceRefused (a rule; also a body past the size bound) or FetchFailed.
    """
    rules = rules or policy()
    deadline = time.monotonic() + rules.timeout
    current = url
    with httpx.Client(transport=rules.transport, follow_redirects=False, trust_env=False) as client:
        for _hop in range(rules.max_redirects + 1):
            target = check_url(current, rules=rules)
            response = _connect(client, target, deadline)
            try:
                if response.is_redirect:
                    location = response.headers.get("location", "")
                    if not location:
                        raise FetchFailed("Fetching the source failed: a redirect without a location.")
                    current = urljoin(current, location)
                    continue
                if not response.is_success:
                    raise FetchFailed(f"Fetching the source failed: HTTP {response.status_code}.")
                return _read_body(response, out, rules=rules, deadline=deadline)
            finally:
                response.close()
    raise SourceRefused(f"The source redirects more than {rules.max_redirects} times.")


def _connect(client: httpx.Client, target: Target, deadline: float) -> httpx.Response:
    """Sends the GET to the first approved address that answers."""
    url = httpx.URL(target.url)
    host_header = url.netloc.decode("ascii")
    failure = "connection refused or unreachable"
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            failure = "timed out"
            break
        request = client.build_request(
            "GET",
            url.copy_with(host=address.split("%", 1)[0]),
            headers={"Host": host_header},
            extensions={"sni_hostname": target.host},
            timeout=httpx.Timeout(remaining, connect=min(remaining, 10.0)),
        )
        try:
            return client.send(request, stream=True)
        except httpx.HTTPError as exc:
            failure = _fetch_reason(exc)
            logger.info("fetching %s from %s failed: %r", target.url, address, exc)
    raise FetchFailed(f"Fetching the source failed: {failure}.")


def _read_body(response: httpx.Response, out: BinaryIO, *, rules: Policy, deadline: float) -> int:
    too_big = f"The source is larger than {rules.max_bytes} bytes (PUBLISHING_MAX_SOURCE_BYTES)."
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > rules.max_bytes:
        raise SourceRefused(too_big)
    total = 0
    try:
        for chunk in response.iter_bytes(CHUNK):
            total += len(chunk)
            if total > rules.max_bytes:
                raise SourceRefused(too_big)
            if time.monotonic() > deadline:
                raise FetchFailed(f"Fetching the source took longer than {rules.timeout:g} s.")
            out.write(chunk)
    except httpx.HTTPError as exc:
        logger.info("reading %s failed: %r", response.request.url, exc)
        raise FetchFailed(f"Fetching the source failed: {_fetch_reason(exc)}.") from None
    return total


def copy_source(source: str, out: BinaryIO, *, rules: Policy | None = None) -> int:
    """Copies a local or URL source into ``out`` under the rules; returns the bytes copied."""
    rules = rules or policy()
    if is_url(source):
        return fetch(source, out, rules=rules)
    with open_local(source, rules=rules) as src:
        return copy_bounded(src, out, max_bytes=rules.max_bytes)

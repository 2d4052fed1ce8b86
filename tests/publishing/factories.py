"""Helpers of the publishing tests (imported by tests; conftest.py holds the fixtures): the local
HTTP server's request and reply types, and fake DNS and internet for the source rules."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP

import httpx

from publishing import sources

# --- what the local HTTP server (conftest.http_server) receives and answers ----------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)

    def form(self) -> dict[str, str | bytes]:
        """Multipart fields: text values as str, file parts as bytes (keyed by field name)."""
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode() + self.body
        )
        fields: dict[str, str | bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            fields[name] = payload if part.get_filename() else payload.decode()
        return fields


@dataclass
class Reply:
    status: int = 200
    body: object = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class LocalServer:
    url: str
    received: list[Received]
    release: threading.Event  # set at teardown: handlers that wait on it return


# --- DNS and the internet, for the source rules (publishing/sources.py) ----------------------

PUBLIC_IP = "93.184.216.34"
DNS = {
    "media.example.test": [PUBLIC_IP],
    "cdn.example.test": ["2606:2800:220:1:248:1893:25c8:1946"],
    "inside.example.test": ["10.0.0.7"],
    "mixed.example.test": [PUBLIC_IP, "127.0.0.1"],
    "metadata.example.test": ["169.254.169.254"],
    "localhost": ["127.0.0.1", "::1"],
}


def fake_dns(host: str, port: int) -> list[str]:
    try:
        return DNS[host]
    except KeyError:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None


def source_rules(**overrides) -> sources.Policy:
    hosts = ("media.example.test", "cdn.example.test", "inside.example.test", "mixed.example.test",
             "metadata.example.test", "*.allowed.test")  # fmt: skip
    return sources.Policy(
        media_roots=(), hosts=overrides.pop("hosts", hosts), resolver=overrides.pop("resolver", fake_dns), **overrides
    )


class Internet(httpx.BaseTransport):
    """Every connection, to whichever address, reaches the test's local server (plain HTTP).

    ``seen`` records where the fetcher connected: the address, the Host header and the TLS name."""

    def __init__(self, server_url: str):
        self.local = httpx.HTTPTransport()
        self.server = httpx.URL(server_url)
        self.seen: list[tuple[str, str, str | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.url.host, request.headers["host"], request.extensions.get("sni_hostname")))
        request.url = request.url.copy_with(scheme="http", host=self.server.host, port=self.server.port)
        return self.local.handle_request(request)

    def close(self):
        self.local.close()

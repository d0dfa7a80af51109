"""A fake LLM provider on 127.0.0.1 that speaks OpenAI Chat Completions and Anthropic Messages.

    with FakeProviderServer() as server:
        server.script(Behaviour.rate_limited(retry_after="0.01"), Behaviour.reply("hi"))
        client = openai.OpenAI(base_url=server.openai_base_url, api_key="sk-test-1")
        ...
        assert server.requests[-1].body["max_tokens"] == 64

Also `python -m tests.fakeprovider.server [--port N] [--behaviour KIND ...]`: prints `PORT=<n>`
and serves until killed; script it from another process through /_control (see process.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
import signal
import sys
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakeprovider.behaviours import Behaviour
from tests.fakeprovider.handling import RecordedRequest, control, serve_api

class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # many client processes connect at once in the concurrency tests

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up (cancel, timeout, kill -9) are part of the tests, not server errors.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class FakeProviderServer:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, default: Behaviour | None = None,
                 require_key: bool = True, valid_key_prefix: str = "sk-test"):
        self.host, self._requested_port = host, port
        self.default = default or Behaviour.reply()
        self.require_key = require_key
        self.valid_key_prefix = valid_key_prefix
        self.unknown_models: set[str] = {"no-such-model"}  # plus any model starting with "no-such-"
        self._queue: deque[Behaviour] = deque()
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._port = 0
        self._thread: threading.Thread | None = None

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> "FakeProviderServer":
        self._httpd = _QuietServer((self.host, self._requested_port), _Handler)
        self._port = self._httpd.server_address[1]
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # ends slow streams and delays at once
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "FakeProviderServer":
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._port, "server not started"
        return self._port  # kept after stop(), so a test can point a client at a closed port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.url  # the anthropic SDK appends /v1/messages itself

    def env(self, key: str = "sk-test-key") -> dict[str, str]:
        """Environment variables that point both SDKs (and a promptlab subprocess) at this server."""
        return {"OPENAI_BASE_URL": self.openai_base_url, "ANTHROPIC_BASE_URL": self.anthropic_base_url,
                "OPENAI_API_KEY": key, "ANTHROPIC_API_KEY": key}

    # ---- scripting ---------------------------------------------------------------------------
    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next requests, in order (each answers `times` requests)."""
        with self._lock:
            for behaviour in behaviours:
                self._queue.extend([behaviour] * max(behaviour.times, 1))

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self._requests.clear()
        self.default = Behaviour.reply()

    def next_behaviour(self) -> Behaviour:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default

    @property
    def pending_behaviours(self) -> int:
        with self._lock:
            return len(self._queue)

    # ---- what was received ----------------------------------------------------------------------
    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        requests = self.requests
        assert requests, "the fake provider received no request"
        return requests[-1]

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """Poll until `count` API requests arrived (no sleeps in tests)."""
        deadline = threading.Event()
        for _ in range(int(timeout / 0.01)):
            if len(self.requests) >= count:
                return self.requests
            deadline.wait(0.01)
        raise TimeoutError(f"expected {count} requests, got {len(self.requests)}")

    def key_ok(self, key: str | None) -> bool:
        return not self.require_key or bool(key and key.startswith(self.valid_key_prefix))

    def model_known(self, model: str) -> bool:
        return model not in self.unknown_models and not model.startswith("no-such-")

    def new_id(self, prefix: str) -> str:
        return f"{prefix}fake{next(self._ids):06d}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeProvider/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    @property
    def fake(self) -> FakeProviderServer:
        return self.server.fake  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        if self.path.startswith("/_control/requests"):
            self.send_json(200, [r.to_dict() for r in self.fake.requests])
        else:
            self.send_json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?", 1)[0]
        if path.startswith("/_control/"):
            control(self, path, raw)
        else:
            serve_api(self, path, raw)

    # ---- writing helpers ---------------------------------------------------------------------------
    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self.send_raw(status, json.dumps(payload).encode(), headers)

    def send_raw(self, status: int, body: bytes, headers: dict[str, str] | None = None,
                 content_length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) if content_length is None else content_length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def start_stream(self, headers: dict[str, str] | None = None, close_delimited: bool = False) -> None:
        self._close_delimited = close_delimited  # like an HTTP/1.0 proxy: no framing, EOF ends the body
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        if close_delimited:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Transfer-Encoding", "chunked")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()

    def write_chunk(self, data: bytes) -> None:
        if getattr(self, "_close_delimited", False):
            self.wfile.write(data)
        else:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def end_stream(self) -> None:
        if getattr(self, "_close_delimited", False):
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _behaviour_from_args(args: argparse.Namespace) -> Behaviour:
    if args.default:
        return Behaviour.from_dict(json.loads(args.default))
    knobs: dict[str, Any] = {"text": args.text} if args.text else {}
    if args.chunk_delay:
        knobs["chunk_delay"] = args.chunk_delay
    if args.retry_after:
        knobs["retry_after"] = args.retry_after
    if args.behaviour == "error":
        return Behaviour.error(args.status, **knobs)
    if args.behaviour == "slow":
        knobs.setdefault("chunk_delay", 0.05)
        return Behaviour.reply(**knobs)
    return getattr(Behaviour, args.behaviour)(**knobs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakeprovider.server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--behaviour", default="reply",
                        choices=["reply", "slow", "no_usage", "error", "rate_limited", "server_error",
                                 "overloaded", "malformed", "broken", "invalid_key", "unknown_model"],
                        help="default behaviour for every request")
    parser.add_argument("--text", help="reply text")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds before each streamed chunk")
    parser.add_argument("--status", type=int, default=500, help="status for --behaviour error")
    parser.add_argument("--retry-after", help="Retry-After header for errors")
    parser.add_argument("--default", help="default behaviour as JSON (Behaviour fields)")
    parser.add_argument("--script", help="JSON list of behaviours to queue first")
    parser.add_argument("--no-key-check", action="store_true", help="accept any API key")
    args = parser.parse_args(argv)

    server = FakeProviderServer(host=args.host, port=args.port, default=_behaviour_from_args(args),
                                require_key=not args.no_key_check)
    if args.script:
        server.script(*(Behaviour.from_dict(item) for item in json.loads(args.script)))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with server:
        print(f"PORT={server.port}", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())

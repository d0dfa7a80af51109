"""`promptlab team provider-key set|list|remove`: the keys the team server holds for proxy mode.

The key is asked for without echo (or read from stdin when it is piped), never taken from the command
line, where shell history and `ps` would keep it. The server encrypts it at rest with its environment's
PROMPTLAB_SERVER_KEY; nothing here prints more of it than its last 4 characters.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any

from promptlab_tui.cli.errors import CliError

PROVIDER = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def read_secret(provider: str) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        secret = getpass.getpass(f"{provider} API key (not shown): ")
    else:
        secret = sys.stdin.readline() if sys.stdin is not None else ""
    secret = secret.strip()
    if not secret:
        raise CliError(f"no {provider} API key given: type it at the prompt, or pipe it on stdin "
                       f"(e.g. promptlab team provider-key set {provider} < keyfile)")
    if any(ch.isspace() or ord(ch) < 32 for ch in secret):
        raise CliError(f"the {provider} API key has spaces or control characters in it: paste only the key")
    return secret


def provider_key_command(args: argparse.Namespace, call: Callable[..., Any],
                         show: Callable[[argparse.Namespace, Any, list[str]], int]) -> int:
    if args.key_command == "list":
        data = call("GET", "/v1/provider-keys")
        return show(args, data, [f"{k['provider']:<16} …{k['last4'] or '????'}  updated {k['updated_at'][:19]}"
                                 + (f"  {k['base_url']}" if k.get("base_url") else "")
                                 + ("" if k["last4"] else "  (unreadable with the server's PROMPTLAB_SERVER_KEY)")
                                 for k in data] or ["The server holds no provider keys."])
    if not PROVIDER.match(args.provider):
        raise CliError(f"provider: {args.provider!r}: expected a name like openai or anthropic")
    if args.key_command == "remove":
        call("DELETE", f"/v1/provider-keys/{args.provider}")
        return show(args, {"provider": args.provider, "removed": True}, [f"Removed the {args.provider} key."])
    body: dict[str, Any] = {"api_key": read_secret(args.provider)}
    if args.base_url:
        body["base_url"] = args.base_url
    data = call("PUT", f"/v1/provider-keys/{args.provider}", body)
    hint = f" …{body['api_key'][-4:]}" if len(body["api_key"]) >= 12 else ""  # the server's rule for last4
    return show(args, data, [f"Stored the {args.provider} key{hint} on the server "
                             "(encrypted with its PROMPTLAB_SERVER_KEY)."])

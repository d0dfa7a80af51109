"""`promptlab team …`: members, roles, tokens, groups, budgets, policy and stats through the team server's API."""

from __future__ import annotations

import argparse
import json
from typing import Any

from promptlab_tui.cli.errors import EXIT_BAD_INPUT, EXIT_ERROR, CliError


def register(subparsers: argparse._SubParsersAction) -> None:
    team = subparsers.add_parser("team", help="manage the team on the server you are logged in to",
                                 description="Members, roles, tokens, groups, budgets (admins and owners).")
    team.add_argument("--json", action="store_true", help="print the server's JSON")
    actions = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str, func) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
        parser = actions.add_parser(name, help=help_text)
        parser.set_defaults(func=func)
        return parser

    action("members", "list the team's members", members)
    add = action("add", "add a member (prints their first token once)", add_member)
    add.add_argument("name")
    add.add_argument("--role", choices=("member", "admin", "owner"), default="member")
    role = action("role", "change a member's role", set_role)
    role.add_argument("member", help="member name or id")
    role.add_argument("role", choices=("member", "admin", "owner"))
    remove = action("remove", "remove a member: revokes their tokens; their runs stay, unattributed", remove_member)
    remove.add_argument("member")
    remove.add_argument("--erase-text", action="store_true", help="also erase their prompt and answer text")
    tokens = action("tokens", "list a member's tokens (yours without MEMBER)", list_tokens)
    tokens.add_argument("member", nargs="?")
    token = action("token", "issue a new token for a member (shown once)", issue_token)
    token.add_argument("member")
    token.add_argument("--label", default="")
    revoke = action("revoke", "revoke a token by id", revoke_token)
    revoke.add_argument("token_id", type=int)
    action("groups", "list groups", list_groups)
    group = action("group", "create a group, or set its members", set_group)
    group.add_argument("name")
    group.add_argument("--members", help="comma-separated member names or ids (replaces the group's members)")
    action("budgets", "team, member and group budgets with spend so far", list_budgets)
    budget = action("budget", "set a budget", set_budget)
    budget.add_argument("scope", choices=("team", "member", "group"))
    budget.add_argument("subject", nargs="?", help="member or group (name or id); none for the team")
    budget.add_argument("--period", choices=("daily", "weekly", "monthly"), required=True)
    budget.add_argument("--limit", required=True, metavar="USD")
    budget.add_argument("--mode", choices=("hard", "warn"), default="hard")
    budget.add_argument("--thresholds", default="75,90,100")
    policy = action("policy", "show or set the team's policy", set_policy)
    policy.add_argument("--run-mode", choices=("direct", "proxy"))
    policy.add_argument("--offline", choices=("refuse", "local_cap"), help="under a hard team budget, offline")
    policy.add_argument("--offline-cap", metavar="USD", help="per-member spend allowed offline (local_cap)")
    keys = action("provider-key", "proxy mode: the provider keys the server holds (admins)", provider_keys)
    keys_actions = keys.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    key_set = keys_actions.add_parser("set", help="store a provider key on the server (asked for, or read from "
                                                  "stdin; never an argument)")
    key_set.add_argument("provider", help="e.g. openai, anthropic")
    key_set.add_argument("--base-url", help="the provider's API address, if not its default")
    keys_actions.add_parser("list", help="providers with a key on the server, and each key's last 4 characters")
    key_remove = keys_actions.add_parser("remove", help="delete a provider key from the server")
    key_remove.add_argument("provider")
    stats = action("stats", "team statistics (default: the last 30 days)", show_stats)
    stats.add_argument("--start", help="ISO date-time with offset")
    stats.add_argument("--end", help="ISO date-time with offset")


def _client():  # type: ignore[no-untyped-def]
    from promptlab_tui.sync.client import TeamClient
    from promptlab_tui.sync.credentials import LoginError, load_login

    try:
        login = load_login()
    except LoginError as error:
        raise CliError(str(error)) from None
    if login is None:
        raise CliError("not logged in: promptlab login URL")
    return TeamClient(login)


def _call(method: str, path: str, body: Any = None, params: dict | None = None) -> Any:
    from promptlab_tui.sync.client import TeamError, TeamUnreachable

    with _client() as client:
        try:
            return client.call(method, path, json=body, params=params)
        except TeamUnreachable as error:
            raise CliError(f"cannot reach the server: {error}", EXIT_ERROR) from None
        except TeamError as error:
            raise CliError(error.message, EXIT_BAD_INPUT if error.status < 500 else EXIT_ERROR) from None


def _member_id(ref: str) -> int:
    if ref.isdigit():
        return int(ref)
    for member in _call("GET", "/v1/members"):
        if member["name"] == ref:
            return int(member["id"])
    raise CliError(f"no member named {ref!r} (see promptlab team members)")


def _group_id(ref: str) -> int:
    if ref.isdigit():
        return int(ref)
    for group in _call("GET", "/v1/groups"):
        if group["name"] == ref:
            return int(group["id"])
    raise CliError(f"no group named {ref!r} (see promptlab team groups)")


def _usd(nanos: int | None) -> str:
    from promptlab_tui.core.money import format_usd

    return format_usd(nanos)


def _nanos(text: str, option: str) -> int:
    from promptlab_tui.core.money import usd_to_nanos

    try:
        value = usd_to_nanos(text.lstrip("$"))
    except (ValueError, ArithmeticError):
        raise CliError(f"{option}: {text!r} is not an amount in USD (e.g. 25 or 0.50)") from None
    if value < 0:
        raise CliError(f"{option}: must not be negative")
    return value


def _print(args: argparse.Namespace, data: Any, lines: list[str]) -> int:
    print(json.dumps(data, indent=2) if args.json else "\n".join(lines))
    return 0


def members(args: argparse.Namespace) -> int:
    data = _call("GET", "/v1/members")
    return _print(args, data, [f"{m['id']:>4}  {m['name']:<24} {m['role']:<7} text {'shared' if m['share_text'] else 'not shared'}"
                               for m in data])


def add_member(args: argparse.Namespace) -> int:
    data = _call("POST", "/v1/members", {"name": args.name, "role": args.role})
    return _print(args, data, [f"Added {args.name} ({args.role}). Their token (shown once):", data["token"]])


def set_role(args: argparse.Namespace) -> int:
    data = _call("PATCH", f"/v1/members/{_member_id(args.member)}", {"role": args.role})
    return _print(args, data, [f"{data['name']} is now {data['role']}."])


def remove_member(args: argparse.Namespace) -> int:
    data = _call("DELETE", f"/v1/members/{_member_id(args.member)}", params={"erase_text": args.erase_text})
    extra = "; their prompt and answer text was erased" if args.erase_text else ""
    return _print(args, data, [f"Removed {data['name']}: tokens revoked, runs kept unattributed{extra}."])


def list_tokens(args: argparse.Namespace) -> int:
    path = f"/v1/members/{_member_id(args.member)}/tokens" if args.member else "/v1/tokens"
    data = _call("GET", path)
    return _print(args, data, [
        f"{t['id']:>4}  {t['label'] or '-':<24} created {t['created_at'][:19]}  last used "
        f"{(t['last_used_at'] or 'never')[:19]}" + ("  REVOKED" if t["revoked_at"] else "") for t in data])


def issue_token(args: argparse.Namespace) -> int:
    data = _call("POST", f"/v1/members/{_member_id(args.member)}/tokens", {"label": args.label})
    return _print(args, data, ["New token (shown once):", data["token"]])


def revoke_token(args: argparse.Namespace) -> int:
    data = _call("DELETE", f"/v1/tokens/{args.token_id}")
    return _print(args, data, [f"Token {data['id']} revoked."])


def list_groups(args: argparse.Namespace) -> int:
    data = _call("GET", "/v1/groups")
    return _print(args, data, [f"{g['id']:>4}  {g['name']:<24} members {g['member_ids']}" for g in data])


def set_group(args: argparse.Namespace) -> int:
    existing = {g["name"]: g for g in _call("GET", "/v1/groups")}
    group = existing.get(args.name) or _call("POST", "/v1/groups", {"name": args.name})
    if args.members is not None:
        ids = [_member_id(ref.strip()) for ref in args.members.split(",") if ref.strip()]
        group = _call("PUT", f"/v1/groups/{group['id']}/members", {"member_ids": ids})
    return _print(args, group, [f"Group {group['name']} (#{group['id']}): members {group['member_ids']}"])


def list_budgets(args: argparse.Namespace) -> int:
    data = _call("GET", "/v1/budgets")
    return _print(args, data, [
        f"{b['id']:>4}  {b['scope']:<6} {b['subject_id'] or '':<4} {b['period']:<8} {b['mode']:<4} limit "
        f"{_usd(b['limit_nanos'])}  spent {_usd(b['spent_nanos'])}  in flight {_usd(b['reserved_nanos'])}"
        for b in data] or ["No team budgets."])


def set_budget(args: argparse.Namespace) -> int:
    if args.scope != "team" and not args.subject:
        raise CliError(f"a {args.scope} budget needs the {args.scope}'s name or id")
    subject = 0 if args.scope == "team" else (_member_id(args.subject) if args.scope == "member"
                                              else _group_id(args.subject))
    try:
        thresholds = [int(x) for x in args.thresholds.split(",") if x.strip()]
    except ValueError:
        raise CliError(f"--thresholds: {args.thresholds!r}: expected percentages like 75,90,100") from None
    data = _call("PUT", "/v1/budgets", {"scope": args.scope, "subject_id": subject, "period": args.period,
                                        "limit_nanos": _nanos(args.limit, "--limit"), "mode": args.mode,
                                        "thresholds": thresholds})
    return _print(args, data, [f"{args.scope} {args.period} budget set to {_usd(data['limit_nanos'])} ({args.mode})."])


def set_policy(args: argparse.Namespace) -> int:
    changes: dict[str, Any] = {}
    if args.run_mode:
        changes["run_mode"] = args.run_mode
    if args.offline:
        changes["offline_policy"] = args.offline
    if args.offline_cap:
        changes["offline_cap_nanos"] = _nanos(args.offline_cap, "--offline-cap")
    data = _call("PATCH", "/v1/policy", changes) if changes else _call("GET", "/v1/policy")
    return _print(args, data, [f"run mode: {data['run_mode']}", f"offline under a hard team budget: "
                               f"{data['offline_policy']} (cap {_usd(data['offline_cap_nanos'])} per member)",
                               f"reservations expire after {data['reservation_ttl_s']} s",
                               f"time zone: {data['timezone']}"])


def show_stats(args: argparse.Namespace) -> int:
    from promptlab_tui.cli.team_stats_text import stats_lines

    params = {k: v for k, v in (("start", args.start), ("end", args.end)) if v}
    data = _call("GET", "/v1/stats", params=params)
    lines = stats_lines(data)
    return _print(args, data, lines)


def provider_keys(args: argparse.Namespace) -> int:
    from promptlab_tui.cli.cmd_team_keys import provider_key_command

    return provider_key_command(args, _call, _print)

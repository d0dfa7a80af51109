"""`promptlab login URL`, `promptlab logout`, `promptlab sync [--status]`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from promptlab_tui.cli.errors import EXIT_BAD_INPUT, EXIT_ERROR, CliError

TOKEN_ENV = "PROMPTLAB_TEAM_TOKEN"  # for scripts: login reads the token from here instead of asking


def register(subparsers: argparse._SubParsersAction) -> None:
    login = subparsers.add_parser("login", help="log in to a team server (asks for your token)")
    login.add_argument("url", metavar="URL", help="the team server's address, e.g. https://promptlab.example.com")
    login.set_defaults(func=run_login)
    logout = subparsers.add_parser("logout", help="forget the team server login (local runs are kept)")
    logout.set_defaults(func=run_logout)
    sync = subparsers.add_parser("sync", help="push runs to the team server now")
    sync.add_argument("--status", action="store_true", help="show what is waiting and the last sync, push nothing")
    sync.set_defaults(func=run_sync)


def _database():  # type: ignore[no-untyped-def]
    from promptlab_tui.paths import app_paths
    from promptlab_tui.store.database import Database

    paths = app_paths().ensure()
    return Database(paths.database)


def run_login(args: argparse.Namespace) -> int:
    from promptlab_tui.sync import outbox
    from promptlab_tui.sync.client import TeamClient, TeamError, TeamUnreachable
    from promptlab_tui.sync.credentials import Login, LoginError, normalise_url, save_login

    try:
        url = normalise_url(args.url)
    except LoginError as error:
        raise CliError(f"URL: {error}") from None
    token = os.environ.get(TOKEN_ENV) or (getpass.getpass("Token: ") if sys.stdin.isatty()
                                          else sys.stdin.readline()).strip()
    if not token:
        raise CliError("no token given (paste the token from `promptlab server init` or your admin)")
    login = Login(url, token)
    try:
        with TeamClient(login) as client:
            me = client.me()
    except TeamUnreachable as error:
        raise CliError(f"cannot reach {url}: {error}", EXIT_ERROR) from None
    except TeamError as error:
        raise CliError(f"{url} refused the token: {error.message}", EXIT_BAD_INPUT) from None
    path = save_login(login)
    db = _database()
    with db.raw_write() as conn:
        queued = outbox.install(conn)
    from promptlab_tui.sync.team_gate import remember_team

    remember_team(db, me, None)  # the run mode and offline policy, before the first sync
    print(f"Logged in to {url} as {me['name']} ({me['role']}) in team {me['team']!r}; token saved in {path}.")
    print(f"{queued} run(s) queued for sync; prompt and answer text is "
          + ("shared." if me.get("share_text") else "not shared (numbers only)."))
    return 0


def run_logout(_args: argparse.Namespace) -> int:
    from promptlab_tui.sync import outbox
    from promptlab_tui.sync.credentials import forget_login

    existed = forget_login()
    with _database().raw_write() as conn:
        outbox.uninstall(conn)
    print("Logged out; local history kept." if existed else "Not logged in.")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from promptlab_tui.sync.credentials import LoginError, load_login
    from promptlab_tui.sync.engine import status, sync_once

    try:
        login = load_login()
    except LoginError as error:
        raise CliError(str(error)) from None
    if login is None:
        raise CliError("not logged in: promptlab login URL")
    db = _database()
    if args.status:
        pending, state, failed = status(db)
        print(f"server: {login.url}")
        print(f"pending: {pending} run(s)")
        print(f"last sync: {state.get('last_success_at', 'never')} UTC"
              + (f"; last attempt {state['last_attempt_at']} UTC: {state.get('last_state')}"
                 f"{' - ' + state['last_message'] if state.get('last_message') else ''}"
                 if state.get("last_attempt_at") else ""))
        for run_id, error in failed:
            print(f"refused by the server: run {run_id}: {error}")
        return 0
    result = sync_once(db, login)
    print(f"{result.label}: pushed {result.pushed} run(s)" + (f" ({result.message})" if result.message else ""))
    return 0 if result.state in ("synced", "pending") else EXIT_ERROR

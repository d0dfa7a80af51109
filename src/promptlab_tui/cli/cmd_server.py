"""`promptlab server [--db URL] [--host H] [--port P]`, `promptlab server migrate`, `promptlab server init`."""

from __future__ import annotations

import argparse
import os

from promptlab_tui.cli.errors import EXIT_BAD_INPUT, EXIT_ERROR, CliError

SERVER_EXTRA_HINT = "the team server needs its extra: pip install 'promptlab-tui[server]'"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("server", help="run the optional team server (FastAPI + uvicorn)",
                                   description="Serve the team API. SQLite by default; PostgreSQL with "
                                               "--db postgresql+psycopg://USER@HOST/DB.")
    _db_option(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    parser.set_defaults(func=serve)
    actions = parser.add_subparsers(dest="server_command", metavar="ACTION")
    migrate = actions.add_parser("migrate", help="create or upgrade the server's database schema (Alembic)")
    _db_option(migrate)
    migrate.set_defaults(func=run_migrate)
    init = actions.add_parser("init", help="create the team and its owner; prints the owner's token once")
    _db_option(init)
    init.add_argument("--team", default="team", help="the team's name (default 'team')")
    init.add_argument("--owner", default=os.environ.get("USER") or "owner", help="the owner's name")
    init.add_argument("--timezone", default="UTC", help="IANA zone for the team's budget periods (default UTC)")
    init.set_defaults(func=run_init)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                        help="database URL (default: sqlite file in the data folder; also PROMPTLAB_SERVER_DB)")


def _database(args: argparse.Namespace) -> tuple[str, object]:
    try:
        from promptlab_tui.server.database import ServerDatabaseError, default_url, make_engine
    except ModuleNotFoundError as error:
        raise CliError(f"{SERVER_EXTRA_HINT} ({error.name} is missing)", EXIT_ERROR) from None
    url = getattr(args, "db", None) or os.environ.get("PROMPTLAB_SERVER_DB") or default_url()
    try:
        return url, make_engine(url)
    except ServerDatabaseError as error:
        raise CliError(str(error), EXIT_BAD_INPUT) from None


def run_migrate(args: argparse.Namespace) -> int:
    from promptlab_tui.server.database import ServerDatabaseError, migrate, redacted

    url, engine = _database(args)
    try:
        before, after = migrate(engine)  # type: ignore[arg-type]
    except ServerDatabaseError as error:
        raise CliError(str(error), EXIT_ERROR) from None
    print(f"{redacted(url)}: schema {before or 'empty'} -> {after}" if before != after
          else f"{redacted(url)}: schema at {after}, nothing to do")
    return 0


def run_init(args: argparse.Namespace) -> int:
    from promptlab_tui.core.periods import BudgetSettingsError, zone
    from promptlab_tui.server.database import ServerDatabaseError, check_revision, migrate
    from promptlab_tui.server.errors import ApiError
    from promptlab_tui.server.teams import create_team

    try:
        zone(args.timezone)
    except BudgetSettingsError as error:
        raise CliError(f"--timezone: {error}") from None
    _url, engine = _database(args)
    try:
        if check_revision(engine, allow_behind=True) is None:  # type: ignore[arg-type]
            migrate(engine)  # type: ignore[arg-type]
        check_revision(engine)  # type: ignore[arg-type]
        with engine.begin() as connection:  # type: ignore[attr-defined]
            _team, _owner, token = create_team(connection, args.team, args.owner, args.timezone)
    except ServerDatabaseError as error:
        raise CliError(str(error), EXIT_ERROR) from None
    except ApiError as error:
        raise CliError(error.message) from None
    print(f"Team {args.team!r} created; owner {args.owner!r}. The owner's token (shown once, keep it secret):")
    print(token)
    print("Log in with: promptlab login URL   (then paste the token)")
    return 0


def serve(args: argparse.Namespace) -> int:
    from promptlab_tui.server.database import ServerDatabaseError, check_revision, redacted

    if not 0 <= args.port <= 65535:
        raise CliError(f"--port: {args.port} is not a port (0-65535)")
    url, engine = _database(args)
    try:
        check_revision(engine)  # type: ignore[arg-type]
    except ServerDatabaseError as error:
        raise CliError(str(error), EXIT_ERROR) from None
    import uvicorn

    os.environ["PROMPTLAB_SERVER_DB"] = url  # the workers read it (app_from_env)
    config = uvicorn.Config("promptlab_tui.server.app:app_from_env", factory=True, host=args.host, port=args.port,
                            workers=max(1, args.workers), log_level="warning", limit_concurrency=1000)
    sock = config.bind_socket()  # bound before printing: with --port 0 the line names the port the OS chose
    sock.listen(config.backlog)  # from the printed line on, connections queue until the app accepts them
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"promptlab team server on http://{host}:{sock.getsockname()[1]} ({redacted(url)})", flush=True)
    server = uvicorn.Server(config)
    try:
        if config.workers > 1:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[sock]).run()
        else:
            server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    if config.workers == 1 and not server.started:
        raise CliError("the team server did not start (see the error above)", EXIT_ERROR)
    return 0

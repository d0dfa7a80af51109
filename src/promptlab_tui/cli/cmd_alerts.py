"""`promptlab alerts [--ack ID|all]`: budget threshold alerts, kept until acknowledged."""

from __future__ import annotations

import argparse
import json

from promptlab_tui.cli.cmd_budget import history_context, usd
from promptlab_tui.cli.errors import EXIT_BAD_INPUT, CliError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("alerts", help="budget alerts (thresholds crossed), until acknowledged",
                                   description="Budget alerts, newest first; acknowledge one or all.")
    parser.add_argument("--ack", metavar="ID", help="acknowledge alert ID, or 'all'")
    parser.add_argument("--all", action="store_true", help="include acknowledged alerts")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=show_alerts)


def show_alerts(args: argparse.Namespace) -> int:
    with history_context() as context:
        return _show_alerts(args, context.repository)


def _show_alerts(args: argparse.Namespace, repository) -> int:  # type: ignore[no-untyped-def]
    if args.ack is not None:
        return acknowledge(repository, args.ack, args.json)
    alerts = repository.alerts(include_acknowledged=args.all)
    if args.json:
        print(json.dumps([{
            "id": a.id, "period": a.period_kind, "period_start": a.period_start.isoformat(), "threshold": a.threshold,
            "level": a.level, "message": a.message, "spent_usd": usd(a.spent_nanos), "limit_usd": usd(a.limit_nanos),
            "created_at": a.created_at.isoformat(),
            "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None} for a in alerts],
            indent=2))
        return 0
    if not alerts:
        print("No alerts." if args.all else "No unacknowledged alerts.")
        return 0
    for alert in alerts:
        state = " (acknowledged)" if alert.acknowledged else ""
        print(f"#{alert.id}  {alert.level.upper():8}  {alert.message}{state}")
    if not args.all:
        print("Acknowledge with: promptlab alerts --ack ID (or --ack all)")
    return 0


def acknowledge(repository, target: str, as_json: bool) -> int:  # type: ignore[no-untyped-def]
    if target.lower() == "all":
        count = repository.acknowledge_alert(None)
    else:
        if not target.lstrip("#").isdigit() or len(target.lstrip("#")) > 18:  # past SQLite's 64-bit integers
            raise CliError(f"--ack: {target!r} is not an alert number (see `promptlab alerts`) or 'all'",
                           EXIT_BAD_INPUT)
        alert_id = int(target.lstrip("#"))
        count = repository.acknowledge_alert(alert_id)
        if count == 0 and alert_id not in {a.id for a in repository.alerts(include_acknowledged=True)}:
            raise CliError(f"--ack: there is no alert #{alert_id} (see `promptlab alerts --all`)", EXIT_BAD_INPUT)
    if as_json:
        print(json.dumps({"acknowledged": count}))
    else:
        print(f"Acknowledged {count} alert(s).")
    return 0

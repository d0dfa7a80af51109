"""The runner's hook for the team server (issue 12): a no-op unless the user is logged in (`promptlab login`).

Costs one stat() per run when logged out; the sync package (and httpx) load only when logged in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.services.run_types import RunPlan


def gate_for(context: ServiceContext, cache: dict[str, Any]) -> Any | None:
    if not context.tracking or context.repository is None:
        return None
    from promptlab_tui.sync.credentials import login_path

    if not login_path().exists():
        return None
    if "gate" not in cache:
        from promptlab_tui.sync.credentials import load_login
        from promptlab_tui.sync.team_gate import TeamGate

        login = load_login()
        cache["gate"] = TeamGate(context.repository.db, login) if login is not None else None
    return cache["gate"]


def reserve(context: ServiceContext, cache: dict[str, Any], plan: RunPlan) -> Any | None:
    """Hold the run's worst case on the team's budgets; raises TeamRefused (a BudgetRefused) before any call."""
    gate = gate_for(context, cache)
    if gate is not None:
        gate.reserve(plan)
    return gate


def release(gate: Any | None, plan: RunPlan) -> None:
    if gate is not None:
        gate.release(plan)


def settle(gate: Any | None, plan: RunPlan) -> list[str]:
    """Settle on the server; returns what the user should know (e.g. the offline policy that applied)."""
    if gate is None:
        return []
    gate.settle(plan)
    note = gate.notes.pop(plan.run_id, None)
    return [note] if note else []


def proxy_provider(context: ServiceContext, cache: dict[str, Any], plan: RunPlan) -> Any | None:
    """In the team's proxy mode, the provider is the team server (it holds the keys and reserves itself)."""
    gate = gate_for(context, cache)
    if gate is None or not gate.proxy_mode():
        return None
    from promptlab_tui.sync.proxy_provider import TeamProxyProvider

    return TeamProxyProvider(gate.login, plan.provider, plan.model, plan.run_id, plan.prompt.name)

"""Conversations: "Continue" turns the answer into an assistant message and opens a new user message.

Each turn is a run of its own through the pipeline with the whole conversation as its context (so its
estimate counts every earlier message), linked to the other turns (store.run_links, source
"conversation"). A conversation saves to and opens from a prompt file (JSON, or Markdown whose front
matter holds the turns so far as [[messages]] tables).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.types import ChatMessage, PromptSpec
from promptlab_tui.services.linking import LinkInfo, linked_options, new_group_id

if TYPE_CHECKING:
    from promptlab_tui.services.run_types import RunOptions, RunOutcome
    from promptlab_tui.services.runner import RunService


@dataclass(frozen=True)
class Turn:
    user: str
    answer: str
    run_id: str | None
    cost_nanos: int | None  # None: no price
    input_tokens: int  # what the provider counted for the whole context of this turn


@dataclass
class Conversation:
    system: str = ""
    history: list[ChatMessage] = field(default_factory=list)  # user/assistant messages of the turns so far
    turns: list[Turn] = field(default_factory=list)  # the turns run in this session (the file's have no costs)
    group_id: str = field(default_factory=lambda: new_group_id("conversation"))

    @classmethod
    def from_prompt(cls, prompt: PromptSpec) -> tuple["Conversation", str]:
        """The conversation of a prompt file and its next user message (the last one)."""
        system = prompt.system
        others = [m for m in prompt.messages if m.role not in ("system", "developer")]
        last = others[-1].content if others and others[-1].role == "user" else ""
        history = others[:-1] if others and others[-1].role == "user" else others
        return cls(system=system, history=list(history)), last

    def messages_for(self, user_text: str) -> list[ChatMessage]:
        system = [ChatMessage("system", self.system)] if self.system.strip() else []
        return [*system, *self.history, ChatMessage("user", user_text)]

    def prompt_for(self, user_text: str, base: PromptSpec) -> PromptSpec:
        """`base` (model, max tokens, temperature, name) with the whole conversation and the next message."""
        return dataclasses.replace(base, messages=self.messages_for(user_text))

    def add_turn(self, user_text: str, outcome: RunOutcome) -> None:
        """Continue: the answer becomes an assistant message; the next user message starts empty."""
        self.add_answered(user_text, outcome.text, outcome.run_id, outcome.cost_nanos,
                          outcome.usage.total_input_tokens)

    def add_answered(self, user_text: str, answer: str, run_id: str | None, cost_nanos: int | None,
                     input_tokens: int) -> None:
        self.history += [ChatMessage("user", user_text), ChatMessage("assistant", answer)]
        self.turns.append(Turn(user_text, answer, run_id, cost_nanos, input_tokens))

    @property
    def total_cost_nanos(self) -> int:
        return sum(turn.cost_nanos or 0 for turn in self.turns)

    @property
    def turn_costs(self) -> list[int | None]:
        """Each turn's cost, in order: how the cost grows as the context does."""
        return [turn.cost_nanos for turn in self.turns]

    def next_turn_estimate(self, user_text: str, base: PromptSpec, pricing: Any, **history: Any) -> Any:
        """The next turn's estimate with the whole conversation as its input (core.estimate.RunEstimate)."""
        from promptlab_tui.core.estimate import estimate_run_cost

        return estimate_run_cost(self.prompt_for(user_text, base), pricing, **history)

    def to_prompt(self, user_text: str, base: PromptSpec) -> PromptSpec:
        """The conversation as a prompt to save (core.promptfile.save_prompt_file)."""
        return self.prompt_for(user_text, base)


def run_turn(service: RunService, conversation: Conversation, user_text: str, base: PromptSpec,
             options: RunOptions, on_event: Any = None, cancel: Any = None) -> RunOutcome:
    """Run the next turn through the pipeline (planned, reserved, settled, recorded); a completed turn is added."""
    link = LinkInfo("conversation", conversation.group_id, len(conversation.turns))
    plan = service.prepare_run(conversation.prompt_for(user_text, base), linked_options(options, link))
    outcome = service.execute(plan, on_event, cancel)
    if outcome.ok:
        conversation.add_turn(user_text, outcome)
    return outcome


def conversation_strip_text(conversation: Conversation, next_expected_nanos: int | None, exact: bool = True,
                            answered_nanos: int | None = None) -> str:
    """The Lab's line above the editor: each turn's cost (how it grows), the total, and the next turn.
    `answered_nanos`: the turn just run, not continued yet, counts at its actual cost (and no next turn is known)."""
    from promptlab_tui.core.money import format_usd

    earlier_turns = (len(conversation.history) + 1) // 2 - len(conversation.turns)  # opened from a file: no costs
    costs = [turn.cost_nanos for turn in conversation.turns] + ([answered_nanos] if answered_nanos is not None else [])
    turns = " · ".join([*(f"turn {i} (from the file)" for i in range(1, earlier_turns + 1)),
                        *(f"turn {i} {format_usd(cost)}" for i, cost in enumerate(costs, earlier_turns + 1))])
    earlier = len(conversation.history)
    next_turn = (f"turn {earlier_turns + len(costs) + 1} ≈ {format_usd(next_expected_nanos)} with all "
                 f"{earlier} earlier messages" if next_expected_nanos is not None and answered_nanos is None else "")
    total = conversation.total_cost_nanos + (answered_nanos or 0)
    return "  ".join(part for part in (f"Conversation: {turns}", f"total {format_usd(total)}", next_turn) if part)

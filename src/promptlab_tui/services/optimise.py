"""Optimise with a model (opt-in): a chosen cheap model rewrites the user message to fewer tokens.

The rewrite call is a run like any other (planned against every limit, reserved, settled, recorded,
source "optimise"); the result puts both versions side by side with their tokens and the cost of the
prompt on the model it is written for, so the user decides with the numbers in front of them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.types import ChatMessage, PromptSpec
from promptlab_tui.services.linking import LinkInfo, linked_options

if TYPE_CHECKING:
    from promptlab_tui.services.run_types import RunOptions, RunOutcome
    from promptlab_tui.services.runner import RunService

DEFAULT_REWRITER = "gpt-4o-mini"
REWRITE_INSTRUCTIONS = (
    "Rewrite the prompt you are given so that it uses as few tokens as possible while keeping every "
    "instruction, constraint, fact and example it contains, and its meaning. Do not answer it. Reply with "
    "the rewritten prompt only, without quotes or commentary.")


@dataclass(frozen=True)
class Version:
    text: str
    input_tokens: int
    exact: bool
    expected_nanos: int | None  # the prompt on its own model, expected output as the estimate predicts
    worst_nanos: int | None


@dataclass(frozen=True)
class OptimiseResult:
    original: Version
    shortened: Version | None  # None when the rewrite did not complete
    rewrite: RunOutcome  # the rewrite call as recorded (its cost is part of the decision)

    @property
    def saved_tokens(self) -> int:
        return 0 if self.shortened is None else self.original.input_tokens - self.shortened.input_tokens

    @property
    def worth_it(self) -> bool:
        return self.shortened is not None and self.saved_tokens > 0


def version_of(prompt: PromptSpec, text: str, pricing: Any) -> Version:
    """`text` as the prompt's user message, counted and priced for the prompt's own model."""
    from promptlab_tui.core.estimate import estimate_run_cost

    messages = [*prompt.messages[:-1], ChatMessage("user", text)]
    estimate = estimate_run_cost(dataclasses.replace(prompt, messages=messages), pricing)
    return Version(text, estimate.input.tokens, estimate.input.exact, estimate.expected_cost_nanos,
                   estimate.worst_cost_nanos)


def rewrite_request(text: str, rewriter: str, max_tokens: int | None = None) -> PromptSpec:
    from promptlab_tui.core.tokens import approximate_tokens

    room = max_tokens or max(256, approximate_tokens(text) * 2)  # the rewrite is shorter than the original
    return PromptSpec(messages=[ChatMessage("system", REWRITE_INSTRUCTIONS), ChatMessage("user", text)],
                      model=rewriter, max_tokens=room, temperature=0.0, name="optimise")


def optimise_prompt(service: RunService, prompt: PromptSpec, rewriter: str = DEFAULT_REWRITER,
                    options: RunOptions | None = None, on_event: Any = None, cancel: Any = None) -> OptimiseResult:
    """Rewrite the prompt's last user message with `rewriter`; raises a refusal before the call like any run."""
    from promptlab_tui.services.run_types import RunOptions

    text = prompt.messages[-1].content
    pricing = service.context.pricing
    original = version_of(prompt, text, pricing)
    request = rewrite_request(text, rewriter)
    base = options or RunOptions()
    plan = service.prepare_run(request, linked_options(base, LinkInfo("optimise", detail={"for": prompt.model}),
                                                       model=rewriter, provider=None, max_tokens=None))
    outcome = service.execute(plan, on_event, cancel)
    shortened = None
    if outcome.ok and outcome.text.strip():
        shortened = version_of(prompt, outcome.text.strip(), pricing)
    return OptimiseResult(original, shortened, outcome)

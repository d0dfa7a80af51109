"""Messages the Lab's workers post (preview, run, prompt files); the Lab's handlers own all the state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from promptlab_tui.services.views import AlertView, BudgetView, PreviewView, RefusalView, RunOutcomeView, TooLongView


class VocabularyReady(Message):
    """The tokenizer vocabulary finished loading (or is unavailable): re-run the preview."""


class EditorResync(Message):
    """The counters lost track of the edits: hand them the editor's whole texts again."""


class PreviewReady(Message):
    def __init__(self, preview: PreviewView | None, generation: int, error: str | None = None) -> None:
        super().__init__()
        self.preview = preview
        self.generation = generation
        self.error = error


class RunReserved(Message):
    """The run's worst case is held in the ledger: the budget bar can show it as running."""


class RunAttemptFailed(Message):
    """A fallback chain's model failed and the next is tried (`text`: which, why, and the next model)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class RunWaitingForBudget(Message):
    """Refused only because other runs hold their worst case: waiting for them to settle (`text` says how many)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class RunStreamed(Message):
    """A chunk of streamed answer text (the results pane buffers; its timer repaints)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class RunTokensCounted(Message):
    def __init__(self, output_tokens: int, exact: bool, cost_nanos: int | None = None) -> None:
        super().__init__()
        self.output_tokens = output_tokens
        self.exact = exact
        self.cost_nanos = cost_nanos  # the run's cost so far (None: no price)


class RunFinished(Message):
    def __init__(self, outcome: RunOutcomeView, budget: BudgetView | None, alerts: list[AlertView]) -> None:
        super().__init__()
        self.outcome = outcome
        self.budget = budget
        self.alerts = alerts


class RunNotStarted(Message):
    """Refused before anything was sent: missing key, bad input, budget, prompt too long."""

    def __init__(self, message: str, refusal: RefusalView | None = None, too_long: TooLongView | None = None) -> None:
        super().__init__()
        self.message = message
        self.refusal = refusal
        self.too_long = too_long


class PromptFileDone(Message):
    """A prompt file was saved, loaded, renamed or duplicated (or failed to be)."""

    def __init__(self, verb: str, path: str | None, spec: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.verb = verb
        self.path = path
        self.spec = spec
        self.error = error

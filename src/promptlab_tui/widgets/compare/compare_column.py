"""One model's answer in the compare screen: the model, the answer, its tokens, cost and latency."""

from __future__ import annotations

from promptlab_tui.widgets.markup import escape
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static


class CompareColumn(VerticalScroll):
    can_focus = True

    def __init__(self, position: int, model: str) -> None:
        super().__init__(id=f"compare-column-{position}", classes="compare-column")
        self.position = position
        self.model = model
        self.run_id: str | None = None
        self.border_title = f"{position + 1}. {model}"

    def compose(self) -> ComposeResult:
        yield Static("running…", classes="compare-stats")
        yield Static("", classes="compare-answer")

    def show(self, status: str, text: str, stats: str, run_id: str | None) -> None:
        self.run_id = run_id
        self.set_class(status != "completed", "-failed")
        self.query_one(".compare-stats", Static).update(escape(stats))
        self.query_one(".compare-answer", Static).update(escape(text))

    def mark(self, better: bool) -> None:
        self.set_class(better, "-better")
        self.border_title = f"{self.position + 1}. {self.model}" + ("  ★ better" if better else "")

    @property
    def answer_text(self) -> str:
        return str(self.query_one(".compare-answer", Static).content)

    @property
    def stats_text(self) -> str:
        return str(self.query_one(".compare-stats", Static).content)

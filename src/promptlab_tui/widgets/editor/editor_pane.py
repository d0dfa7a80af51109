"""The prompt editor: model, request parameters, per-run cost cap, system and user TextAreas."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Static, TextArea

from promptlab_tui.widgets.model_choice import ModelChoice
from promptlab_tui.widgets.picker.model_picker import ModelPicker


@dataclass(frozen=True)
class EditorValues:
    """A snapshot of the editor taken on the UI thread and handed to workers (strings are immutable)."""

    system: str
    user: str
    provider: str
    model: str
    max_tokens: int
    temperature: float | None
    cost_cap_usd: Decimal | None
    problems: tuple[str, ...] = ()


class ParamsRow(Horizontal):
    """Max tokens, temperature and cost cap. The row draws the fields' labels in the gaps left for them
    (three fewer widgets before the first frame), so the gaps and widths are set here, not in CSS."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"params-row--label"}
    DEFAULT_CSS = "ParamsRow > .params-row--label { color: $text-muted; }"
    LABELS = ("Max ", " Temp ", " Cap $")
    WIDTHS = (8, 8, None)  # None: the rest of the row

    def compose(self) -> ComposeResult:
        fields = (
            Input("1024", type="integer", id="max-tokens", compact=True, select_on_focus=False),
            Input("", type="number", id="temperature", placeholder="default", compact=True),
            Input("", type="number", id="cost-cap", placeholder="none", compact=True),
        )
        for label, width, field in zip(self.LABELS, self.WIDTHS, fields):
            field.styles.margin = (0, 0, 0, len(label))
            field.styles.width = width if width is not None else "1fr"
            yield field

    def render(self) -> Content:
        style = self.get_visual_style("params-row--label")
        parts: list[tuple[str, object] | str] = []
        for label, width in zip(self.LABELS, self.WIDTHS):
            parts += [(label, style), " " * (width or 0)]
        return Content.assemble(*parts)


class EditorPane(Vertical):
    def __init__(self, current: ModelChoice, *, blink: bool = True, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._current = current
        self._blink = blink

    def compose(self) -> ComposeResult:
        yield Static("untitled", id="prompt-name")
        yield ModelPicker(self._current, id="model-picker")  # draws its own "Model" label
        yield ParamsRow(id="params-row")
        yield TextArea(id="system-text", placeholder="System prompt (optional)", soft_wrap=True, compact=True)
        yield TextArea(id="user-text", placeholder="User prompt — type here; ctrl+r runs it", soft_wrap=True, compact=True)

    def on_mount(self) -> None:
        self.query_one("#system-text").border_title = "System"
        self.query_one("#user-text").border_title = "User"
        if not self._blink:
            for widget in self.query(TextArea):
                widget.cursor_blink = False
            for widget in self.query(Input):
                widget.cursor_blink = False

    @property
    def picker(self) -> ModelPicker:
        return self.query_one(ModelPicker)

    def set_prompt_name(self, name: str | None, dirty: bool = False) -> None:
        self.query_one("#prompt-name", Static).update(f"{name or 'untitled'}{' •' if dirty else ''}")

    def values(self) -> EditorValues:
        problems: list[str] = []
        choice = self.picker.selected or self._current
        max_tokens = _parse_int(self.query_one("#max-tokens", Input).value, "max tokens", problems) or 1024
        temperature_text = self.query_one("#temperature", Input).value.strip()
        temperature = None
        if temperature_text:
            try:
                temperature = float(temperature_text)
            except ValueError:
                problems.append(f"temperature: expected a number, got {temperature_text!r}")
        cap_text = self.query_one("#cost-cap", Input).value.strip()
        cap = None
        if cap_text:
            try:
                cap = Decimal(cap_text)
            except InvalidOperation:
                problems.append(f"cost cap: expected dollars like 0.05, got {cap_text!r}")
        return EditorValues(
            system=self.query_one("#system-text", TextArea).text,
            user=self.query_one("#user-text", TextArea).text,
            provider=choice.provider,
            model=choice.model,
            max_tokens=max_tokens,
            temperature=temperature,
            cost_cap_usd=cap,
            problems=tuple(problems),
        )

    def load(self, system: str, user: str, max_tokens: int, temperature: float | None, model_key: str | None) -> None:
        """Fill the editor from a saved prompt (Changed events then trigger a preview)."""
        self.query_one("#system-text", TextArea).text = system
        self.query_one("#user-text", TextArea).text = user
        self.query_one("#max-tokens", Input).value = str(max_tokens)
        self.query_one("#temperature", Input).value = "" if temperature is None else f"{temperature:g}"
        if model_key:
            self.picker.select_key(model_key)

    def set_max_tokens(self, max_tokens: int) -> None:
        self.query_one("#max-tokens", Input).value = str(max_tokens)


def _parse_int(text: str, field: str, problems: list[str]) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        problems.append(f"{field}: expected a whole number, got {text!r}")
        return None
    if value <= 0:
        problems.append(f"{field}: must be at least 1")
        return None
    return value

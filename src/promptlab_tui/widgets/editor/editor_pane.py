"""The prompt editor: model, request parameters, per-run cost cap, system and user TextAreas."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from promptlab_tui.services.editor_values import EditorValues, PreviewInputs
from promptlab_tui.services.model_choice import ModelChoice
from promptlab_tui.widgets.editor.params_row import ParamsRow
from promptlab_tui.widgets.editor.tracked_text_area import EditJournal, TrackedTextArea
from promptlab_tui.widgets.picker.model_picker import ModelPicker


class EditorPane(Vertical):
    def __init__(self, current: ModelChoice, journal: EditJournal | None = None, *, blink: bool = True,
                 **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._current = current
        self._blink = blink
        self.journal = journal

    def compose(self) -> ComposeResult:
        yield Static("untitled", id="prompt-name")
        yield ModelPicker(self._current, id="model-picker")  # draws its own "Model" label
        yield ParamsRow(blink=self._blink, id="params-row")  # its Inputs are mounted after the first frame
        yield TrackedTextArea(role="system", journal=self.journal, id="system-text",
                              placeholder="System prompt (optional)", soft_wrap=True, compact=True)
        yield TrackedTextArea(role="user", journal=self.journal, id="user-text",
                              placeholder="User prompt — type here; ctrl+r runs it", soft_wrap=True, compact=True)

    def on_mount(self) -> None:
        self.query_one("#system-text").border_title = "System"
        self.query_one("#user-text").border_title = "User"
        if not self._blink:
            for widget in self.query(TextArea):
                widget.cursor_blink = False

    @property
    def picker(self) -> ModelPicker:
        return self.query_one(ModelPicker)

    @property
    def params(self) -> ParamsRow:
        return self.query_one(ParamsRow)

    def set_prompt_name(self, name: str | None, dirty: bool = False) -> None:
        self.query_one("#prompt-name", Static).update(f"{name or 'untitled'}{' •' if dirty else ''}")

    def preview_inputs(self) -> PreviewInputs:
        """The model, the request fields and whether each message has text: cheap, for every pause in typing."""
        fields = self._fields()
        return PreviewInputs(*fields, has_system=_has_text(self.query_one("#system-text", TextArea)),
                             has_user=_has_text(self.query_one("#user-text", TextArea)), quality=self._quality())

    def values(self) -> EditorValues:
        """Everything in the editor, the whole texts included (for a run or a save)."""
        provider, model, max_tokens, temperature, cap, problems = self._fields()
        return EditorValues(
            system=self.query_one("#system-text", TextArea).text,
            user=self.query_one("#user-text", TextArea).text,
            provider=provider,
            model=model,
            max_tokens=max_tokens,
            temperature=temperature,
            cost_cap_usd=cap,
            problems=problems,
            quality=self._quality(),
        )

    def _quality(self) -> str | None:
        """The tier of the picker's "auto" entry; None for a named model."""
        return (self.picker.selected or self._current).quality

    def _fields(self) -> tuple[str, str, int, float | None, Decimal | None, tuple[str, ...]]:
        problems: list[str] = []
        choice = self.picker.selected or self._current
        params = self.params
        max_tokens = _parse_int(params.value("max-tokens"), "max tokens", problems) or 1024
        temperature_text = params.value("temperature").strip()
        temperature = None
        if temperature_text:
            try:
                temperature = float(temperature_text)
            except ValueError:
                problems.append(f"temperature: expected a number, got {temperature_text!r}")
        cap_text = params.value("cost-cap").strip()
        cap = None
        if cap_text:
            try:
                cap = Decimal(cap_text)
            except InvalidOperation:
                problems.append(f"cost cap: expected dollars like 0.05, got {cap_text!r}")
        return choice.provider, choice.model, max_tokens, temperature, cap, tuple(problems)

    def load(self, system: str, user: str, max_tokens: int, temperature: float | None, model_key: str | None,
             cost_cap: str = "") -> None:
        """Fill the editor from a saved prompt (Changed events then trigger a preview); `cost_cap`: its max_cost."""
        self.query_one("#system-text", TextArea).text = system
        self.query_one("#user-text", TextArea).text = user
        self.params.set_value("max-tokens", str(max_tokens))
        self.params.set_value("temperature", "" if temperature is None else f"{temperature:g}")
        self.params.set_value("cost-cap", cost_cap)
        if model_key:
            self.picker.select_key(model_key)

    def set_max_tokens(self, max_tokens: int) -> None:
        self.params.set_value("max-tokens", str(max_tokens))


def _has_text(area: TextArea) -> bool:
    """Anything but white space? Stops at the first line with text, so a big prompt answers at once."""
    return any(not line.isspace() and line for line in area.document.lines)


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

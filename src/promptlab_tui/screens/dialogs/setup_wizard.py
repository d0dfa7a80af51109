"""First start with no budget: estimate usage, recommend a budget, pick thresholds. Skippable (esc)."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from promptlab_tui.widgets.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from promptlab_tui.core.money import format_usd
from promptlab_tui.screens.dialogs.form import (
    FieldError,
    money,
    parse_positive_int,
    parse_thresholds,
    parse_usd,
    usd_field,
)
from promptlab_tui.services.views import BudgetSettingsView, ModelChoice
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

DAYS_PER_MONTH = 30
DEFAULT_USAGE = {"#runs-per-day": "20", "#tokens-in": "1500", "#tokens-out": "500"}
FIRST_PROMPT = "Say hello and tell me, in two sentences, one thing promptlab's cost preview shows before a run."


def threshold_amounts(monthly_nanos: int | None, thresholds: tuple[int, ...]) -> str:
    """'75% = $22.50 · 90% = $27.00 · 100% = $30.00' (integer nanos; the one money rule)."""
    if monthly_nanos is None or not thresholds:
        return ""
    return " · ".join(f"{t}% = {format_usd(monthly_nanos * t // 100)}" for t in thresholds)


def runnable_models(models: list[ModelChoice]) -> tuple[list[ModelChoice], bool]:
    """The paid models whose provider has a key, or every model when there is none (then the flag is False)."""
    keyed = [m for m in models if m.has_key and not m.free]
    return (keyed, True) if keyed else (models, False)


def kept_limits(current: BudgetSettingsView) -> str:
    """The limits the wizard does not edit, as it keeps them: 'daily limit $5.00 · 8,000 tokens per prompt'."""
    parts = [f"{period} limit {money(nanos)}" for period, nanos in
             (("daily", current.daily_nanos), ("weekly", current.weekly_nanos)) if nanos is not None]
    if current.max_tokens_per_prompt is not None:
        parts.append(f"{current.max_tokens_per_prompt:,} tokens per prompt")
    return " · ".join(parts)


class SetupWizard(ModalScreen[BudgetSettingsView | None]):
    BINDINGS = [
        Binding("escape", "skip", "Skip"),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("r", "next_step('run')", "Run a first prompt"),
        Binding("d", "next_step('dashboard')", "Open the dashboard"),
    ]

    def __init__(self, models: list[ModelChoice], current: BudgetSettingsView | None = None) -> None:
        super().__init__(classes="dialog")
        self.models = models
        self.current = current or BudgetSettingsView()  # re-run (f4): what it does not show is kept
        self.recommended_nanos: int | None = None
        self._user_edited_budget = self.current.monthly_nanos is not None
        self.usage_guess = None  # the user's own last 30 days, once read (services.usage_guess)
        self.saved: BudgetSettingsView | None = None  # set once saved: the last step offers what to do next
        self.next_step: str | None = None  # "run" (a first prompt) or "dashboard", chosen on the last step

    def compose(self) -> ComposeResult:
        options, default, _ = self._model_options()
        with Vertical(id="wizard-next"):
            yield Static("Budget saved", classes="title")
            yield Static("", id="wizard-saved", classes="numbers")
            with Horizontal(classes="buttons"):
                yield Button("Run a first prompt (r)", id="next-run", variant="primary", compact=True)
                yield Button(f"{self._dashboard_label()} (d)", id="next-dashboard", compact=True)
                yield Button("Start writing (esc)", id="next-close", compact=True)
        with Vertical(id="wizard-form"):
            yield Static("Welcome to promptlab: set a budget", classes="title")
            yield Static("[dim]A rough guess of your usage gives a recommended monthly budget. "
                         "Esc skips; ctrl+b changes it any time.[/dim]")
            with Horizontal(classes="row"):
                yield Label("Runs per day")
                yield Input(DEFAULT_USAGE["#runs-per-day"], id="runs-per-day", type="integer", compact=True)
            with Horizontal(classes="row"):
                yield Label("Typical model")
                yield Select(options, value=default, allow_blank=False, id="typical-model", compact=True)
            yield Static("[dim]No provider key is set yet: every model is listed.[/dim]", id="no-keys")
            with Horizontal(classes="row"):
                yield Label("Tokens in per run")
                yield Input(DEFAULT_USAGE["#tokens-in"], id="tokens-in", type="integer", compact=True)
            with Horizontal(classes="row"):
                yield Label("Tokens out per run")
                yield Input(DEFAULT_USAGE["#tokens-out"], id="tokens-out", type="integer", compact=True)
            yield Static("", id="usage-guess", classes="hint")
            yield Static("", id="usage-estimate", classes="numbers")
            with Horizontal(classes="row"):
                yield Label("Monthly budget $")
                yield Input(usd_field(self.current.monthly_nanos), id="monthly-limit", compact=True)
            with Horizontal(classes="row"):
                yield Label("Alert thresholds %")
                yield Input(",".join(map(str, self.current.thresholds)), id="thresholds", compact=True)
            yield Static("", id="threshold-amounts", classes="hint")
            with Horizontal(classes="row"):
                yield Label("When over the limit")
                yield Select([("hard: refuse the run", "hard"), ("warn: run and warn", "warn")],
                             value=self.current.mode if self.current.mode in ("hard", "warn") else "hard",
                             allow_blank=False, id="mode", compact=True)
            kept = kept_limits(self.current)
            if kept:
                yield Static(f"[dim]Kept as they are: {escape(kept)} (ctrl+b changes them).[/dim]", id="kept-limits")
            yield Static("", classes="error", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Save budget", id="save", variant="primary", compact=True)
                yield Button("Skip (esc)", id="skip", compact=True)
        yield WrappingFooter()

    def _model_options(self) -> tuple[list[tuple[str, str]], str, bool]:
        """(options, default key, whether the no-key note applies) for the models known now."""
        models, keyed = runnable_models(self.models)
        options = [(m.label, m.key) for m in models] or [("gpt-4o-mini (openai)", "openai:gpt-4o-mini")]
        default = next((v for _, v in options if v.endswith(":gpt-4o-mini")), options[0][1])
        return options, default, bool(self.models) and not keyed

    def pricing_loaded(self, message: object) -> None:
        """Prices can arrive after the wizard opened (a big history loads first): offer the models, estimate."""
        self.models = list(getattr(message, "models", None) or [])
        self.call_after_refresh(self._offer_loaded_models)  # the Select may still be mounting

    def _offer_loaded_models(self) -> None:
        options, default, note = self._model_options()
        select = self.query_one("#typical-model", Select)
        chosen = select.value
        select.set_options(options)
        select.value = chosen if any(v == chosen for _, v in options) else default
        self.query_one("#no-keys").display = note
        self.update_estimate()
        self._show_usage_guess()

    def _dashboard_label(self) -> str:
        return "Open the dashboard" if hasattr(self.app, "action_show_dashboard") else "Open your runs"

    def on_mount(self) -> None:
        if not self.app.cursor_blink:
            for widget in self.query(Input):
                widget.cursor_blink = False
        self.query_one("#wizard-next").display = False
        self.query_one("#no-keys").display = self._model_options()[2]
        self.query_one("#usage-guess").display = False  # until the user's own numbers are read
        self.query_one("#runs-per-day", Input).focus()
        self.update_estimate()
        self.update_amounts()
        self.run_worker(self._read_usage_guess, thread=True, group="usage-guess", exit_on_error=False)

    def _read_usage_guess(self) -> None:
        from promptlab_tui.services.usage_guess import recent_usage_guess
        from promptlab_tui.services.app_backend import utc_now

        now = self.app.now() if getattr(self.app, "now", None) else utc_now()
        guess = recent_usage_guess(self.app.services, now)
        if guess is not None:
            self.app.call_from_thread(self._apply_usage_guess, guess)

    def _apply_usage_guess(self, guess) -> None:
        """Start from the user's own numbers, unless they already typed their own."""
        fields = {"#runs-per-day": guess.runs_per_day, "#tokens-in": guess.tokens_in, "#tokens-out": guess.tokens_out}
        if any(self.query_one(f, Input).value != DEFAULT_USAGE[f] for f in fields):
            return
        for selector, value in fields.items():
            self.query_one(selector, Input).value = str(value)
        self.usage_guess = guess
        self._show_usage_guess()

    def _show_usage_guess(self) -> None:
        """The guess's model, when it is offered (prices may load after the guess), and where it came from."""
        guess = self.usage_guess
        if guess is None:
            return
        offered = {key: label for label, key in self._model_options()[0]}
        select = self.query_one("#typical-model", Select)
        if guess.model_key in offered and select.value == self._model_options()[1]:
            select.value = guess.model_key
        label = offered.get(guess.model_key, guess.model_key.partition(":")[2])
        line = self.query_one("#usage-guess", Static)
        line.update(f"[dim]{escape(guess.describe(label))}[/dim]")
        line.display = True
        self.update_estimate()

    def update_amounts(self) -> None:
        """Each threshold in dollars of the monthly budget as typed."""
        try:
            monthly = parse_usd(self.query_one("#monthly-limit", Input).value, "monthly budget")
            thresholds = parse_thresholds(self.query_one("#thresholds", Input).value)
        except FieldError:
            monthly, thresholds = None, ()
        self.query_one("#threshold-amounts", Static).update(escape(threshold_amounts(monthly, tuple(thresholds))))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_step":
            return self.saved is not None  # only on the last step
        if action == "save":
            return self.saved is None
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("monthly-limit", "thresholds"):
            self.update_amounts()
        if event.input.id == "monthly-limit":
            self._user_edited_budget = event.value != usd_field(self.recommended_nanos)
        elif event.input.id in ("runs-per-day", "tokens-in", "tokens-out"):
            self.update_estimate()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "typical-model":
            self.update_estimate()

    def update_estimate(self) -> None:
        """Arithmetic on prices already loaded: cheap enough for the UI thread."""
        from promptlab_tui.services.usage_guess import wizard_estimate

        try:
            runs = parse_positive_int(self.query_one("#runs-per-day", Input).value, "runs per day") or 0
            tokens_in = parse_positive_int(self.query_one("#tokens-in", Input).value, "tokens in") or 0
            tokens_out = parse_positive_int(self.query_one("#tokens-out", Input).value, "tokens out") or 0
        except FieldError as error:
            self.query_one("#usage-estimate", Static).update(f"[$text-error]{escape(str(error))}[/]")
            return
        if not getattr(self.app, "pricing_ready", True):
            self.query_one("#usage-estimate", Static).update("[dim]Estimated spend: loading prices…[/dim]")
            return
        key = self.query_one("#typical-model", Select).value
        monthly, recommended, basis = wizard_estimate(self.app.pricing, self.usage_guess, str(key), runs, tokens_in,
                                                      tokens_out, DAYS_PER_MONTH)
        self.recommended_nanos = recommended
        text = (f"Estimated spend: [b]{escape(money(monthly))}[/b] {basis} · "
                f"recommended budget: [b]{escape(format_usd(recommended) if recommended else money(None))}[/b]")
        self.query_one("#usage-estimate", Static).update(text)
        if not self._user_edited_budget:
            self.query_one("#monthly-limit", Input).value = usd_field(recommended)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id in ("next-run", "next-dashboard"):
            self.action_next_step(event.button.id.removeprefix("next-"))
        else:
            self.action_skip()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.saved is None:
            self.action_save()

    def action_save(self) -> None:
        try:
            monthly = parse_usd(self.query_one("#monthly-limit", Input).value, "monthly budget")
            thresholds = parse_thresholds(self.query_one("#thresholds", Input).value)
        except FieldError as error:
            self.query_one("#form-error", Static).update(escape(str(error)))
            return
        if monthly is None:
            self.query_one("#form-error", Static).update("monthly budget: enter an amount, or press esc to skip")
            return
        mode = self.query_one("#mode", Select).value
        self.saved = replace(self.current, monthly_nanos=monthly, thresholds=thresholds,
                             mode=mode if mode in ("hard", "warn") else "hard")
        self.query_one("#wizard-form").display = False
        self.query_one("#wizard-next").display = True
        amounts = threshold_amounts(monthly, tuple(thresholds))
        self.query_one("#wizard-saved", Static).update(
            f"Monthly budget [b]{escape(format_usd(monthly))}[/b] ({escape(self.saved.mode)} mode); alerts at "
            f"{escape(amounts)}. What next?")
        self.query_one("#next-run", Button).focus()
        self.refresh_bindings()

    def action_next_step(self, step: str) -> None:
        """After saving: hand the budget back, and what the user chose to do next."""
        if self.saved is not None:
            self.next_step = step
            self.dismiss(self.saved)

    def action_skip(self) -> None:
        self.dismiss(self.saved)  # after saving, esc just starts writing

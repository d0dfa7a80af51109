"""A select of the priced models, labelled with their provider; its value is 'provider:model'."""

from __future__ import annotations

from textual.widgets import Select

from promptlab_tui.widgets.views import ModelChoice


class ModelPicker(Select[str]):
    """Starts with the prompt's model alone; the full list arrives when the pricing worker answers."""

    def __init__(self, current: ModelChoice, **kwargs: object) -> None:
        super().__init__([(current.label, current.key)], value=current.key, allow_blank=False, compact=True, **kwargs)
        self.choices: dict[str, ModelChoice] = {current.key: current}

    def set_models(self, models: list[ModelChoice], current_key: str | None = None) -> None:
        """Replace the options, keeping the current selection (added if it is not priced)."""
        keep = current_key or (self.value if isinstance(self.value, str) else None)
        choices = {m.key: m for m in models}
        if keep and keep not in choices and keep in self.choices:
            wanted = self.choices[keep]
            same_model = next((m for m in models if m.model == wanted.model), None)
            if same_model is not None:
                keep = same_model.key  # the config named the model without (or with another) provider
            else:
                choices[keep] = wanted  # not priced: still selectable, its cost shows as "no price"
        self.choices = choices
        with self.prevent(Select.Changed):
            self.set_options([(m.label, m.key) for m in choices.values()])
            if keep in choices:
                self.value = keep

    @property
    def selected(self) -> ModelChoice | None:
        return self.choices.get(self.value) if isinstance(self.value, str) else None

    def select_key(self, key: str) -> bool:
        if key not in self.choices:
            return False
        self.value = key
        return True

"""f9 in the Lab: the compare screen with the editor's prompt (and conversation) on several models."""

from __future__ import annotations


class CompareMixin:
    def action_compare(self) -> None:
        values = self.editor.values()
        if values.problems or not values.user.strip():
            self.notify("Write a user prompt (and fix the fields) before comparing.", severity="warning")
            return
        from promptlab_tui.screens.compare.compare_screen import CompareScreen

        others = [m.model for m in self.app.models if m.provider == values.provider and m.model != values.model]
        self.app.push_screen(CompareScreen(values, self.prompt_name, [values.model, *others[:2]],
                                           self.turn_history()))

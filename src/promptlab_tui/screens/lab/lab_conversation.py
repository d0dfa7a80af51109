"""Conversations in the Lab: "Continue" (alt+n) turns the last answer into an assistant message and opens a
new user message; the preview then counts the whole conversation, the strip shows each turn's cost."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from promptlab_tui.services.conversation import Conversation


class ConversationMixin:
    """State lives on the screen and is changed only by handlers (UI thread)."""

    conversation: Conversation | None = None
    _turn_user: str | None = None  # the user message of the run in flight
    _answered: tuple[str, str, Any] | None = None  # (user, answer, outcome view) of the last completed run

    def turn_started(self, user_text: str) -> None:
        self._turn_user, self._answered = user_text, None

    def turn_history(self) -> tuple[Any, ...]:
        return tuple(self.conversation.history) if self.conversation is not None else ()

    def turn_link(self) -> Any:
        if self.conversation is None:
            return None
        from promptlab_tui.services.linking import LinkInfo

        return LinkInfo("conversation", self.conversation.group_id, len(self.conversation.turns))

    def turn_finished(self, outcome: Any) -> None:
        if outcome is not None and outcome.status == "completed" and self._turn_user is not None:
            self._answered = (self._turn_user, self.results.answer_text, outcome)
            if self.conversation is not None:  # the turn just run counts in the total at once, not at Continue
                self.show_conversation(None, answered_nanos=outcome.total_nanos)
        self._turn_user = None
        self.refresh_bindings()

    @property
    def can_continue(self) -> bool:
        return self._answered is not None and not self.running

    def action_continue_conversation(self) -> None:
        if not self.can_continue:
            return
        from promptlab_tui.services.conversation import Conversation

        user, answer, outcome = self._answered
        if self.conversation is None:
            self.conversation = Conversation(system=self.editor.values().system)
        self.conversation.add_answered(user, answer, None, outcome.total_nanos,
                                       outcome.input_tokens + outcome.cached_tokens)
        self._answered = None
        self.get_engine().set_context(tuple(self.conversation.history))
        self.query_one("#user-text").text = ""  # the next user message; the preview counts the whole context
        self.query_one("#user-text").focus()
        self.show_conversation(None)
        self.refresh_bindings()
        self.schedule_preview(0)

    def end_conversation(self) -> None:
        self.conversation, self._answered = None, None
        self.get_engine().set_context(())
        self.show_conversation(None)

    def show_conversation(self, next_expected_nanos: int | None, answered_nanos: int | None = None) -> None:
        from promptlab_tui.services.conversation import conversation_strip_text
        from promptlab_tui.widgets.conversation.conversation_strip import ConversationStrip

        text = None
        if self.conversation is not None and self.conversation.history:
            text = conversation_strip_text(self.conversation, next_expected_nanos, answered_nanos=answered_nanos)
        self.query_one(ConversationStrip).show(text)

    def open_conversation(self, spec: Any) -> bool:
        """A prompt file holding earlier turns opens as a conversation; True when it did."""
        from promptlab_tui.services.conversation import Conversation

        self.end_conversation()
        others = [m for m in spec.messages if m.role not in ("system", "developer")]
        if len(others) < 2 or others[-1].role != "user" or not any(m.role == "assistant" for m in others):
            return False
        self.conversation, _next = Conversation.from_prompt(spec)
        self.get_engine().set_context(tuple(self.conversation.history))
        self.show_conversation(None)
        return True

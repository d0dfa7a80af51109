"""The results pane's top line: the Run button (Cancel while a run streams) and the run's live status.

One focusable widget drawing a button and a status, not a Button, a Static and a row container:
less to style and lay out before the first frame. Enter, space or a click on the button presses it.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

RUN_LABEL = " ▶ Run "
CANCEL_LABEL = " ■ Cancel "


class RunBar(Widget, can_focus=True):
    ALLOW_SELECT = False
    BINDINGS = [Binding("enter,space", "press", "Press", show=False)]
    COMPONENT_CLASSES = {"run-bar--run", "run-bar--cancel", "run-bar--status"}
    DEFAULT_CSS = """
    RunBar {
        height: 1;
        & > .run-bar--run { background: $primary; color: $text; text-style: bold; }
        & > .run-bar--cancel { background: $error; color: $text; text-style: bold; }
        & > .run-bar--status { color: $text-muted; }
        &:focus > .run-bar--run { text-style: bold reverse; }
        &:focus > .run-bar--cancel { text-style: bold reverse; }
    }
    """

    running: reactive[bool] = reactive(False)
    status: reactive[str] = reactive("Idle")

    class Pressed(Message):
        """The button was pressed: Run while idle, Cancel while running."""

        def __init__(self, running: bool) -> None:
            super().__init__()
            self.running = running

    @property
    def label(self) -> str:
        return CANCEL_LABEL if self.running else RUN_LABEL

    def render(self) -> Content:
        # full (not partial) component styles: a partial style drops an opaque background
        button = self.get_visual_style("run-bar--cancel" if self.running else "run-bar--run")
        return Content.assemble((self.label, button), " ", (self.status, self.get_visual_style("run-bar--status")))

    def action_press(self) -> None:
        self.post_message(self.Pressed(self.running))

    def on_click(self, event: Click) -> None:
        if event.x < len(self.label):
            event.stop()
            self.action_press()

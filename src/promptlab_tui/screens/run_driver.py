"""Drives one run from the Lab (worker side) through the run pipeline; posts only messages."""

from __future__ import annotations

import threading
from typing import Any, Callable

from promptlab_tui.screens.messages import RunNotStarted
from promptlab_tui.widgets.editor.editor_pane import EditorValues


def execute_run(values: EditorValues, app: Any, cancel: threading.Event, post: Callable[[Any], Any], *,
                accept_capped: bool = False, estimate_nanos: int | None = None) -> None:
    post(RunNotStarted("The run pipeline is not available yet."))

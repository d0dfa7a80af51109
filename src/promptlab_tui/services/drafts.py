"""The draft of unsaved edits: kept beside the history (0600) while the prompt differs from its file,
restored at the next start, removed once it is saved or discarded."""

from __future__ import annotations

import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from promptlab_tui.services.editor_values import EditorValues

DRAFT_FILE = "draft.json"


class Draft(NamedTuple):
    values: EditorValues
    prompt_path: str | None  # the saved prompt the edits belong to (None: a new prompt)
    prompt_name: str | None


def draft_path() -> Path:
    from promptlab_tui.paths import app_paths

    return app_paths().data_dir / DRAFT_FILE


def save_draft(draft: Draft, path: Path | None = None) -> Path:
    """Written atomically, readable by the user only (it may hold anything the prompt holds)."""
    path = path or draft_path()
    v = draft.values
    data = {"system": v.system, "user": v.user, "provider": v.provider, "model": v.model,
            "max_tokens": v.max_tokens, "temperature": v.temperature,
            "cost_cap_usd": None if v.cost_cap_usd is None else str(v.cost_cap_usd),
            "prompt_path": draft.prompt_path, "prompt_name": draft.prompt_name, "quality": v.quality}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".draft.", dir=path.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def load_draft(path: Path | None = None) -> Draft | None:
    """The draft left by an earlier session; None when there is none (or it cannot be read)."""
    path = path or draft_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        cap = data.get("cost_cap_usd")
        values = EditorValues(str(data["system"]), str(data["user"]), str(data["provider"]), str(data["model"]),
                              int(data["max_tokens"]), data.get("temperature"),
                              None if cap is None else Decimal(cap),
                              quality=data.get("quality") if data.get("quality") in ("low", "medium", "high") else None)
        return Draft(values, data.get("prompt_path"), data.get("prompt_name"))
    except (OSError, ValueError, KeyError, TypeError, ArithmeticError):
        return None


def discard_draft(path: Path | None = None) -> None:
    (path or draft_path()).unlink(missing_ok=True)

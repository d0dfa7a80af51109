"""Saved prompt files in the prompts folder (worker side): list, open, save, rename, duplicate, delete.

The file format (Markdown with +++ TOML front matter) is core/promptfile.py's; this module only
chooses file names and keeps the history's saved-prompt references in step.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from promptlab_tui.services.editor_values import EditorValues

PROMPT_SUFFIX = ".md"
LISTED_SUFFIXES = (".md", ".json")  # JSON: message lists and request-shape files (tools, images), answers saved with f10
_UNSAFE = re.compile(r"[^\w\- .]+")


def prompts_dir() -> Path:
    from promptlab_tui.paths import app_paths

    return app_paths().prompts_dir


def file_name(name: str) -> str:
    """'My prompt: v2' -> 'My-prompt-v2.md': characters unsafe in file names dropped, spaces as hyphens
    (no quoting in a shell); the prompt keeps its name with spaces in its front matter."""
    cleaned = re.sub(r"\s+", "-", _UNSAFE.sub("", name).strip().strip("."))
    if not cleaned:
        raise ValueError(f"name {name!r}: use letters, digits, spaces, - and _")
    return cleaned + PROMPT_SUFFIX


def list_prompts() -> tuple[str, list[tuple[str, str]], str | None]:
    folder = prompts_dir()
    try:
        found = [p for p in folder.iterdir() if p.suffix.lower() in LISTED_SUFFIXES] if folder.is_dir() else []
    except OSError as error:
        return str(folder), [], f"Cannot list {folder}: {error}"
    files = sorted(found, key=lambda p: p.name.lower())
    # a Markdown prompt is listed by its name; other files keep their suffix so both forms stay apart
    return str(folder), [(p.stem if p.suffix == PROMPT_SUFFIX else p.name, str(p)) for p in files], None


def load_prompt(path: Path):
    """A PromptSpec; raises PromptFileError naming the file, line and field."""
    from promptlab_tui.core.promptfile import load_prompt_file

    return load_prompt_file(path)


def save_prompt(ctx: Any, values: EditorValues, path: Path | None, name: str | None, history: tuple = ()) -> Path:
    """Write the editor to `path` (or a new file named after `name`); never overwrites another prompt."""
    from promptlab_tui.core.promptfile import save_prompt_file
    from promptlab_tui.services.preview_engine import prompt_from

    if path is None:
        path = prompts_dir() / file_name(name or "untitled")
        if path.exists():
            raise FileExistsError(f"{path} already exists: pick another name, or open it and save")
    path.parent.mkdir(parents=True, exist_ok=True)
    spec = prompt_from(values)
    spec.name = name or path.stem
    if history:  # a conversation: its turns so far, then the editor's user message
        spec.messages = [*spec.messages[:-1], *history, spec.messages[-1]]
    if path.exists():
        keep_file_settings(spec, path, values)
    save_prompt_file(spec, path)
    _remember(ctx, spec.name, path)
    return path


def keep_file_settings(spec: Any, path: Path, values: EditorValues) -> None:
    """Saving over a file keeps the front matter the editor has no field for (tags, quality, max_cost,
    session_budget, fallback, cache) and a `model = "auto"` the picker cannot show: the editor's save must
    not erase them. A file that no longer loads is written from the editor alone."""
    from promptlab_tui.core.promptfile import PromptFileError, load_prompt_file

    try:
        old = load_prompt_file(path)
    except (PromptFileError, OSError):
        return
    if not spec.tags:
        spec.tags = list(old.tags)
    if not spec.fallback:
        spec.fallback = list(old.fallback)
    for field in ("session_budget_nanos", "cache"):
        if getattr(spec, field) is None:
            setattr(spec, field, getattr(old, field))
    if hasattr(values, "quality"):  # an editor with auto entries edits the model, quality and cap itself
        return
    # an editor without them shows some concrete model for an auto file and never loads its quality or cap
    if old.model == "auto":
        spec.model = "auto"
    spec.quality = spec.quality or old.quality
    spec.max_cost_nanos = spec.max_cost_nanos if spec.max_cost_nanos is not None else old.max_cost_nanos


def rename_prompt(ctx: Any, path: Path, new_name: str) -> Path:
    target = path.with_name(file_name(new_name))
    if target.exists():
        raise FileExistsError(f"{target} already exists: pick another name")
    path.rename(target)
    try:
        from promptlab_tui.services.app_backend import repository

        repository(ctx).rename_prompt_ref(path.stem, target.stem, str(target))
    except Exception:  # the file is the source of truth; the history's reference is a convenience
        pass
    return target


def duplicate_prompt(ctx: Any, path: Path, new_name: str) -> Path:
    from promptlab_tui.core.promptfile import load_prompt_file, save_prompt_file

    target = path.with_name(file_name(new_name))
    if target.exists():
        raise FileExistsError(f"{target} already exists: pick another name")
    spec = load_prompt_file(path)  # a copy under its own name (the front matter's name too)
    spec.name = new_name
    save_prompt_file(spec, target)
    _remember(ctx, new_name, target)
    return target


def delete_prompt(path: Path) -> None:
    """Remove a saved prompt's file (only a prompt file in the prompts folder); its past runs stay in the history."""
    folder = prompts_dir().resolve()
    target = path.resolve()
    if target.parent != folder or target.suffix != PROMPT_SUFFIX:
        raise ValueError(f"{path} is not a saved prompt in {folder}")
    target.unlink()


def _remember(ctx: Any, name: str, path: Path) -> None:
    try:
        from promptlab_tui.services.app_backend import repository

        repository(ctx).save_prompt_ref(name, str(path))
    except Exception:  # see rename_prompt
        pass

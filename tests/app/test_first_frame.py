"""Nothing heavy on the way to the first frame: the SDKs, the tokenizer, the ORM and plotext load later."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("openai", "anthropic", "tiktoken", "sqlalchemy", "sqlmodel", "plotext", "promptlab_tui.store.database",
         "promptlab_tui.core.pricing")


def test_building_the_app_imports_nothing_heavy(isolated_home):
    code = (
        "import json, sys\n"
        "from promptlab_tui.app import PromptLabApp\n"
        "PromptLabApp()\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout) == []

"""Calibration is learned per kind of content: runs with tools teach the tools estimate, not the text one."""

from __future__ import annotations

import sqlite3

from promptlab_tui.core.request_tokens import count_prompt
from promptlab_tui.services.runner import RunService
from tests.fakeprovider.behaviours import Behaviour
from tests.services.conftest import prompt

TEXT = "Summarise the following incident report in three bullet points, plainly. " * 20
TOOL = {"type": "function", "function": {"name": "file_ticket", "description": "File a ticket for the incident",
                                         "parameters": {"type": "object", "properties": {
                                             "severity": {"type": "string", "enum": ["low", "high"]}}}}}


def test_tools_and_text_each_learn_their_own_factor(fake_provider_env, isolated_home):
    plain = prompt(TEXT, model="claude-haiku-4-5")
    tools = prompt(TEXT, model="claude-haiku-4-5")
    tools.tools = [TOOL]
    plain_raw, tools_raw = count_prompt(plain).tokens, count_prompt(tools).tokens
    assert count_prompt(tools).kind == "tools"
    fake_provider_env.script(*[Behaviour.reply("ok", usage={"input_tokens": plain_raw, "output_tokens": 2})] * 3,
                             *[Behaviour.reply("ok", usage={"input_tokens": tools_raw * 3 // 2, "output_tokens": 2})]
                             * 3)
    for spec in (plain, plain, plain, tools, tools, tools):
        assert RunService().run(spec).status == "completed"

    text_count = RunService().prepare_run(plain).input_tokens
    tools_count = RunService().prepare_run(tools).input_tokens
    assert abs(text_count.tokens - plain_raw) <= 1  # x1.0 from the text runs only
    assert abs(tools_count.tokens - tools_raw * 1.5) <= 2 and tools_count.kind == "tools"
    assert "+50 % from 3 runs" in tools_count.note

    from promptlab_tui.paths import app_paths

    db = sqlite3.connect(app_paths().database)
    kinds = [row[0] for row in db.execute("SELECT estimate_kind FROM run ORDER BY created_at")]
    assert kinds == [None, None, None, "tools", "tools", "tools"]

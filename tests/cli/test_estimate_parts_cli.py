"""`promptlab estimate` on request-shape files (tools, images), with duration, and `estimate --check FOLDER`."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from promptlab_tui.cli.main import main
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour

TOOL = {"type": "function", "function": {
    "name": "get_current_weather", "description": "Get the current weather in a given location",
    "parameters": {"type": "object", "properties": {
        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
        "unit": {"type": "string", "description": "The unit of temperature to return",
                 "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}}}


def weather_file(folder: Path) -> Path:
    path = folder / "weather.json"
    path.write_text(json.dumps({"model": "gpt-4o", "tools": [TOOL], "messages": [
        {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
        {"role": "user", "content": "What's the weather like in San Francisco?"}]}, indent=2))
    return path


@requires_vocab
def test_estimate_lists_each_tool_with_its_cost_and_counts_the_cookbook_figure(tmp_path, capsys):
    path = weather_file(tmp_path)
    assert main(["estimate", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["input_tokens"] == 101 and data["exact"]
    assert [(t["name"], t["exact"]) for t in data["tools"]] == [("get_current_weather", True)]
    assert data["tools_overhead_tokens"] == 12
    assert main(["estimate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "101 tokens (exact, o200k_base)" in out
    assert f"get_current_weather: {data['tools'][0]['tokens']} tokens" in out


def test_estimate_shows_each_image(tmp_path, capsys):
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 1024, 1024) + b"\x08\x02\0\0\0"
    (tmp_path / "chart.png").write_bytes(png)
    path = tmp_path / "look.json"
    path.write_text(json.dumps({"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "What does this chart say?"},
        {"type": "image_url", "image_url": {"url": "chart.png"}}]}]}))
    assert main(["estimate", str(path)]) == 0
    assert "image 1: 1,399 tokens (1024x1024 png)" in capsys.readouterr().out


def test_check_reports_the_estimate_error_per_model_from_real_runs(fake_provider_env, tmp_path, capsys):
    folder = tmp_path / "prompts"
    folder.mkdir()
    (folder / "primes.md").write_text('+++\nmodel = "claude-haiku-4-5"\nmax_tokens = 50\n+++\n\n'
                                      + "List three primes and say why each is prime. " * 10 + "\n")
    (folder / "broken.json").write_text("{")
    fake_provider_env.default = Behaviour.reply("Two, three and five.")
    for _ in range(3):
        assert main(["run", str(folder / "primes.md")]) == 0
    capsys.readouterr()

    assert main(["estimate", "--check", str(folder), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [row] = data["models"]
    assert row["model"] == "claude-haiku-4.5" and row["runs"] == 3  # runs are stored under the canonical name
    assert 0 <= row["input"]["p50_percent"] <= row["input"]["p90_percent"]
    assert row["input"]["p90_percent"] < 5  # calibrated on these very runs: the preview can be trusted here
    assert data["skipped"] and data["skipped"][0].startswith("broken.json")

    assert main(["estimate", "--check", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "claude-haiku-4.5" in out and "input p50 / p90" in out


def test_check_on_a_file_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "a.md"
    path.write_text("hello\n")
    assert main(["estimate", "--check", str(path)]) == 2
    assert "--check expects a folder" in capsys.readouterr().err


def test_estimate_shows_the_expected_duration_from_past_runs(fake_provider_env, tmp_path, capsys):
    path = tmp_path / "story.md"
    path.write_text('+++\nmodel = "gpt-4o-mini"\nmax_tokens = 200\n+++\n\nTell a short story.\n')
    fake_provider_env.default = Behaviour.reply("Once upon a time there was a small robot who loved prime numbers. "
                                                "Every night it counted them until the stars came out.")
    for _ in range(3):
        assert main(["run", str(path)]) == 0
    capsys.readouterr()
    assert main(["estimate", str(path), "--json"]) == 0
    duration = json.loads(capsys.readouterr().out)["duration"]
    assert 0 < duration["p50_ms"] <= duration["p90_ms"] and duration["basis"] == "this prompt's 3 runs"
    assert main(["estimate", str(path)]) == 0
    assert "duration  ~" in capsys.readouterr().out


def test_count_online_makes_an_approximate_estimate_exact_and_falls_back_offline(fake_provider_env, tmp_path, capsys,
                                                                                  monkeypatch):
    from promptlab_tui.paths import app_paths

    path = tmp_path / "claude.md"
    path.write_text('+++\nmodel = "claude-haiku-4-5"\n+++\n\nName three primes.\n')
    assert main(["estimate", str(path), "--json"]) == 0
    assert not json.loads(capsys.readouterr().out)["exact"]
    assert fake_provider_env.requests == []  # off by default: nothing is sent to count

    config = app_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("count_online = true\n")
    assert main(["estimate", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["exact"] and data["method"] == "online: Anthropic count_tokens"
    assert data["input_tokens"] == fake_provider_env.last_request.usage["input_tokens"]

    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    assert main(["estimate", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert not json.loads(captured.out)["exact"]
    assert "local count: offline" in captured.err

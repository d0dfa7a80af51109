"""Bad files and arguments through the real `promptlab` CLI: a specific error (file, line, field, what was
expected), the right exit code, no traceback, nothing sent to the provider and the history left as it was."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.paths import app_paths
from promptlab_tui.store.repository import HistoryRepository
from tests.fakeprovider.behaviours import Behaviour

GOOD_OVERRIDE = '[[models.openai."gpt-4o".price]]\neffective_from = 2024-08-06\ninput = "2.00"\noutput = "8.00"\n'
DEEP = "x = " + "[" * 5000 + "]" * 5000 + "\n"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def prompt_file(folder: Path, model: str = "gpt-4o-mini") -> str:
    path = folder / "primes.md"
    path.write_text(f'+++\nmodel = "{model}"\nmax_tokens = 64\n+++\nName three primes.\n', encoding="utf-8")
    return str(path)


def seed_history() -> str:
    """Two priced runs and one without a price, written the way the runner writes them; returns the digest."""
    repo = HistoryRepository()
    for model, cost in (("gpt-4o-mini", 4_500), ("gpt-4o-mini", 5_500), ("house-llm", None)):
        reservation = repo.reserve_run(PendingRun("openai", model, 64, 11, 20, 10_000, 40_000, prompt_name="seed"),
                                       None)
        breakdown = None if cost is None else CostBreakdown(input_nanos=cost // 3, output_nanos=cost - cost // 3)
        repo.settle_run(reservation.run_id, Usage(input_tokens=11, output_tokens=6), breakdown, "completed")
    repo.close()
    return database_digest()


def database_digest() -> str:
    database = app_paths().database
    leftovers = [p for p in database.parent.glob(database.name + "-wal") if p.stat().st_size]
    assert not leftovers, "a write was left in the WAL"
    return hashlib.sha256(database.read_bytes()).hexdigest()


def assert_history_intact(capsys, digest: str) -> None:
    assert database_digest() == digest
    code, out, _ = cli(capsys, "history", "--json")
    data = json.loads(out)
    assert code == 0 and data["all_time"]["runs"] == 3 and data["all_time"]["unpriced_runs"] == 1
    assert data["all_time"]["cost_usd"] == "0.00001"


# --- the user's pricing.toml ---------------------------------------------------------------------------

PRICING_CASES = {
    "malformed": ('[[models.openai."gpt-4o".price]\neffective_from = 2024-08-06\n',
                  ":1:31: (TOML syntax): expected valid TOML"),
    "truncated": (GOOD_OVERRIDE[:72], ":3:12: (TOML syntax): expected valid TOML, got Unterminated string"),
    "word": (GOOD_OVERRIDE.replace('"2.00"', '"abc"'),
             ":3: models.openai.gpt-4o.price[0].input: expected a price in USD per million tokens"),
    "negative": (GOOD_OVERRIDE.replace('"2.00"', '"-1.00"'), ":3: models.openai.gpt-4o.price[0].input: expected"),
    "list": (GOOD_OVERRIDE.replace('"8.00"', '["8"]'), ":4: models.openai.gpt-4o.price[0].output: expected a price"),
    "absurd": (GOOD_OVERRIDE.replace('"2.00"', '"1e400"'), (":3: models.openai.gpt-4o.price[0].input: expected"
               ' a price in USD per million tokens, a decimal string like "2.50" (0 or more, at most 1,000,000)')),
    "missing output": (('[models.openai."my-model"]\n\n[[models.openai."my-model".price]]\n'
                        'effective_from = 2025-01-01\ninput = "1.00"\n'),
                       ":3: models.openai.my-model.price[0].output: expected a price"),
    "word date": (GOOD_OVERRIDE.replace("2024-08-06", '"yesterday"'),
                  ":2: models.openai.gpt-4o.price[0].effective_from: expected a date like 2025-06-10"),
    "date-time": (GOOD_OVERRIDE.replace("2024-08-06", "2024-08-06T10:00:00"),
                  ":2: models.openai.gpt-4o.price[0].effective_from: expected a date like 2025-06-10"),
    "impossible date": (GOOD_OVERRIDE.replace("2024-08-06", "2024-13-40"), ":2:22: (TOML syntax)"),
    "binary": (b"\x00\xff\xfe\x89PNG\r\n", ": (file): expected a readable UTF-8 TOML file"),
    "nested too deeply": (DEEP, ": (TOML syntax): expected valid TOML, got arrays or tables nested too deeply"),
    "a key in api_key_env": ('[providers.openai]\napi_key_env = "sk-live-abcdefghijklmnop"\n',
                             ":2: providers.openai.api_key_env: expected the name of an environment variable"),
}


@pytest.mark.parametrize("case", PRICING_CASES)
def test_a_bad_pricing_file_is_refused_by_every_command_that_prices(case, capsys, tmp_path, fake_provider_env):
    content, message = PRICING_CASES[case]
    digest = seed_history()
    user = app_paths().user_pricing
    user.write_bytes(content if isinstance(content, bytes) else content.encode())
    for argv in (["prices"], ["prices", "gpt-4o", "--json"], ["estimate", prompt_file(tmp_path)],
                 ["run", prompt_file(tmp_path)], ["reprice", "--dry-run"], ["reprice"]):
        code, out, err = cli(capsys, *argv)
        assert code == 2, argv
        assert f"{user}{message}" in err, (argv, err)
        assert "sk-live" not in err + out
    assert fake_provider_env.requests == []
    assert_history_intact(capsys, digest)  # a broken price file never hides the history
    assert user.read_bytes() == (content if isinstance(content, bytes) else content.encode())


def test_a_tiny_but_valid_price_is_shown_in_plain_notation(capsys):
    app_paths().ensure().user_pricing.write_text(GOOD_OVERRIDE.replace('"2.00"', '"0.0000001"'))
    code, out, _ = cli(capsys, "prices", "gpt-4o", "--json")
    assert code == 0 and json.loads(out)["current"]["per_million_usd"]["input"] == "0.0000001"
    code, out, _ = cli(capsys, "prices")
    assert "$0.0000001" in out and "E-" not in out


# --- the config file -----------------------------------------------------------------------------------

CONFIG_CASES = {
    "malformed": ("retention_days = \n", ", line 1: not valid TOML"),
    "truncated": ("[providers.local\n", ", line 1: not valid TOML (Expected ']' at the end of a table declaration"),
    "retention word": ('retention_days = "ten"\n', ", line 1: retention_days: expected a whole number of days >= 1"),
    "negative timeout": ("request_timeout_seconds = -3\n", ", line 1: request_timeout_seconds: expected a number"),
    "unknown zone": ('timezone = "Mars/Olympus"\n', ", line 1: timezone: unknown time zone 'Mars/Olympus'"),
    "providers list": ('providers = ["a"]\n', ", line 1: providers: expected a table of providers"),
    "provider kind": ('[providers.local]\nkind = "grpc"\n', ", line 2: providers.local.kind: expected one of"),
    "provider url": ('[providers.local]\nbase_url = "ftp://x"\n', ", line 2: providers.local.base_url: expected an"),
    "retry attempts": ("[retry]\nmax_attempts = 0\n", ", line 2: retry.max_attempts: expected a whole number >= 1"),
    "theme number": ("theme = 3\n", ", line 1: theme: expected a non-empty string, got 3"),
    "binary": (b"\x00\xff\xfe\x89PNG", ": cannot read the file"),
    "nested too deeply": (DEEP, ": not valid TOML (values nested too deeply)"),
    "key in a list": ('[providers.openai]\napi_key = ["sk-live-abcdefghijklmnop"]\n',
                      ", line 2: providers.openai.api_key: expected a string, got a list"),
    "key in api_key_env": ('[providers.openai]\napi_key_env = "sk-live-abcdefghijklmnop"\n',
                           ", line 2: providers.openai.api_key_env: expected the name of an environment variable"),
}


@pytest.mark.parametrize("case", CONFIG_CASES)
def test_a_bad_config_file_stops_a_run_but_not_the_history(case, capsys, tmp_path, fake_provider_env):
    content, message = CONFIG_CASES[case]
    seed_history()
    config = app_paths().config_file
    config.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, out, err = cli(capsys, "run", prompt_file(tmp_path))
    assert code == 2 and f"{config}{message}" in err, err
    assert "sk-live" not in out + err and fake_provider_env.requests == []
    code, out, err = cli(capsys, "history")
    assert code == 0 and out.count(" seed ") == 3 and f"retention not applied: {config}" in err
    assert "sk-live" not in out + err
    assert config.read_bytes() == (content if isinstance(content, bytes) else content.encode())


@pytest.mark.parametrize("config", ["retention_days = 0\n", ""])
def test_a_run_stopped_by_its_config_or_a_missing_key_leaves_no_run_behind(config, capsys, tmp_path,
                                                                         fake_provider, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_provider.openai_base_url)  # and no OPENAI_API_KEY
    seed_history()
    app_paths().config_file.write_text(config)
    assert cli(capsys, "run", prompt_file(tmp_path))[0] in (2, 4)
    assert HistoryRepository().count_runs() == 3


def test_a_config_file_that_is_a_folder_is_named(capsys, tmp_path, fake_provider_env):
    app_paths().config_file.mkdir()
    code, _, err = cli(capsys, "run", prompt_file(tmp_path))
    assert code == 2 and f"{app_paths().config_file}: cannot read the file" in err and "Is a directory" in err


# --- prompt files --------------------------------------------------------------------------------------

PROMPT_CASES = {
    "unclosed.md": ('+++\nmodel = "gpt-4o"\nhello\n', ":1: (front matter): expected a closing +++ line"),
    "bad-toml.md": ("+++\nmodel = gpt-4o\n+++\nhello\n", ':2: (front matter): expected valid TOML, got "Invalid'),
    "lots.md": ('+++\nmax_tokens = "lots"\n+++\nhello\n',
                ':2: max_tokens: expected a whole number of tokens, 1 or more, got "lots"'),
    "windows.md": ('+++\r\nmodel = "gpt-4o"\r\nmax_tokens = 2.5\r\n+++\r\nhello\r\n', ":3: max_tokens: expected"),
    "temperature.md": ("+++\ntemperature = 99\n+++\nhello\n", ":2: temperature: expected a number from 0 to 2"),
    "typo.md": ('+++\nmodle = "gpt-4o"\n+++\nhello\n', ':2: modle: expected one of: model, system'),
    "no-body.md": ('+++\nmodel = "gpt-4o"\n+++\n', ":4: (user message): expected the user message"),
    "deep.md": ("+++\n" + DEEP + "+++\nhello\n", ":2: (front matter): expected valid TOML"),
    "truncated.json": ('[{"role": "user", "content": "hi"', ":1: (JSON syntax, column 34): expected valid JSON"),
    "empty-list.json": ("[]", ":1: (top level): expected a non-empty list of messages"),
    "role.json": ('[{"role": "wizard", "content": "hi"}]', ":1: messages[0].role: expected one of: system"),
    "content.json": ('[\n  {"role": "system", "content": "be brief"},\n  {"role": "user", "content": 5}\n]',
                     ":3: messages[1].content: expected the message text (a string) or a list of content parts, got 5"),
    "huge.json": ('{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 99999999999999999999}',
                  ":1: max_tokens: expected a whole number of tokens"),
    "deep.json": ("[" * 100_000 + "]" * 100_000, ':1: (JSON syntax): expected valid JSON, got "lists or objects'),
    "empty.txt": ("", ":1: (user message): expected some text: the prompt file is empty"),
    "blank.txt": ("  \n\n \n", ":1: (user message): expected some text"),
    "image.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), ':1: (encoding): expected UTF-8 text'),
    "latin1.txt": ("line one\ncaf\xe9\n".encode("latin-1"), ':2: (encoding): expected UTF-8 text, got "byte 0xe9"'),
    "missing.md": (None, ': (file): expected a readable prompt file, got "No such file or directory"'),
    "folder.md": ("folder", ': (file): expected a readable prompt file, got "Is a directory"'),
}


@pytest.mark.parametrize("name", PROMPT_CASES)
def test_a_bad_prompt_file_is_refused_before_anything_runs(name, capsys, tmp_path, fake_provider_env):
    content, message = PROMPT_CASES[name]
    digest = seed_history()
    path = tmp_path / name
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    for argv in (["estimate", str(path)], ["estimate", "--json", str(path)], ["run", str(path)],
                 ["run", "--json", prompt_file(tmp_path), str(path)]):
        code, out, err = cli(capsys, *argv)
        expected = message
        if content == "folder":  # run and estimate take a folder of prompt files: this one has none
            expected = ": no prompt files in this folder"
        assert code == 2 and f"{path}{expected}" in err, (argv, err)
        assert out == ""
    assert fake_provider_env.requests == []
    assert_history_intact(capsys, digest)


# --- arguments -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "message"), [
    (["--daily", "1e400"], "--daily: '1e400' is more than the largest amount, 1,000,000,000 USD"),
    (["--monthly", "abc"], "--monthly: 'abc' is not an amount in USD"),
    (["--weekly", "-5"], "--weekly: '-5' must be a positive amount"),
    (["--daily", "nan"], "--daily: 'nan' must be a positive amount"),
    (["--daily", "0.0000000001"], "--daily: '0.0000000001' is less than the smallest amount, 0.000000001 USD"),
    (["--max-cost-per-run", "1e400"], "--max-cost-per-run: '1e400' is more than the largest amount"),
    (["--max-tokens-per-prompt", "99999999999999999999"], "--max-tokens-per-prompt: '99999999999999999999' is not"),
    (["--thresholds", "75,lots"], "--thresholds: 'lots' is not a percentage from 1 to 1000"),
    (["--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
])
def test_bad_budget_settings_are_refused_and_the_saved_budget_kept(argv, message, capsys):
    assert cli(capsys, "budget", "set", "--daily", "5", "--thresholds", "50,100")[0] == 0
    saved = HistoryRepository().get_budget()
    code, _, err = cli(capsys, "budget", "set", *argv)
    assert code == 2 and message in err
    assert HistoryRepository().get_budget() == saved


def test_a_huge_history_limit_shows_everything(capsys):
    seed_history()
    code, out, _ = cli(capsys, "history", "--limit", "99999999999999999999")
    assert code == 0 and out.count("seed") == 3
    assert cli(capsys, "alerts", "--ack", "99999999999999999999")[0] == 2


def test_a_max_tokens_too_large_to_record_is_refused_before_the_call(capsys, tmp_path, fake_provider_env):
    digest = seed_history()
    code, _, err = cli(capsys, "run", "--provider", "openai", "--max-tokens", "99999999999999999999",
                       prompt_file(tmp_path, "house-llm"))
    assert code == 2 and "--max-tokens" in err
    assert fake_provider_env.requests == []
    assert_history_intact(capsys, digest)


@pytest.mark.parametrize("argv", [["--max-cost", "nan"], ["--max-session-cost", "inf"], ["--max-cost", "sNaN"]])
def test_run_caps_that_are_not_amounts_exit_2(argv, capsys, tmp_path, fake_provider_env):
    with pytest.raises(SystemExit) as exit_:
        main(["run", *argv, prompt_file(tmp_path)])
    assert exit_.value.code == 2 and "expected an amount" in capsys.readouterr().err
    assert fake_provider_env.requests == []


# --- a model without a price -----------------------------------------------------------------------------

def test_a_model_without_a_price_is_no_price_everywhere_never_zero(capsys, tmp_path, fake_provider_env):
    fake_provider_env.default = Behaviour.reply("Two, three, five.")
    assert cli(capsys, "run", prompt_file(tmp_path))[0] == 0
    code, out, err = cli(capsys, "run", "--provider", "openai", prompt_file(tmp_path, "house-llm"))
    assert code == 0 and out == "Two, three, five.\n" and "cost no price" in err and "cost $0" not in err
    code, out, _ = cli(capsys, "run", "--json", "--provider", "openai", prompt_file(tmp_path, "house-llm"))
    result = json.loads(out)
    assert result["cost"] is None and result["cost_usd"] is None and result["estimate"]["worst_case_usd"] is None
    code, out, _ = cli(capsys, "estimate", prompt_file(tmp_path, "house-llm"))
    cost_line = next(line for line in out.splitlines() if line.startswith("cost"))
    assert code == 0 and "no price" in cost_line and "$" not in cost_line
    code, out, _ = cli(capsys, "estimate", "--provider", "bogus", prompt_file(tmp_path))
    assert code == 0 and "no price: gpt-4o-mini at bogus is not in the price table" in out
    code, out, _ = cli(capsys, "history")
    priced = HistoryRepository().total_spend().cost_nanos
    assert priced > 0 and out.count("no price") >= 2
    assert "+ 2 runs without a price" in out.splitlines()[-1]
    data = json.loads(cli(capsys, "history", "--json")[1])
    assert data["all_time"]["unpriced_runs"] == 2 and data["all_time"]["runs"] == 3
    assert [run["cost_usd"] for run in data["runs"]][:2] == [None, None]
    code, out, _ = cli(capsys, "budget", "show")
    assert "+ 2 runs without a price" in out


# --- API keys: wrong or missing, and never stored nor shown ----------------------------------------------

def stored_bytes() -> bytes:
    """Everything the history keeps on disk, the write-ahead log included."""
    database = app_paths().database
    return b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))


PROVIDERS = [("openai", "gpt-4o-mini", "OPENAI_API_KEY", "OPENAI_BASE_URL", "openai_base_url"),
             ("anthropic", "claude-haiku-4-5", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "anthropic_base_url")]


@pytest.mark.parametrize(("provider", "model", "key_var", "url_var", "url_attr"), PROVIDERS)
def test_a_wrong_key_exits_4_naming_the_variable_and_is_never_shown_or_stored(
        provider, model, key_var, url_var, url_attr, capsys, tmp_path, fake_provider, monkeypatch):
    wrong = "sk-live-Wr0ngKeyOfTheUser7f3a9c"
    monkeypatch.setenv(url_var, getattr(fake_provider, url_attr))
    monkeypatch.setenv(key_var, wrong)
    for argv in (["run", prompt_file(tmp_path, model)], ["run", "--json", prompt_file(tmp_path, model)]):
        code, out, err = cli(capsys, *argv)
        assert code == 4 and key_var in out + err and "key" in (out + err).lower()
        assert "Wr0ngKey" not in out + err
    assert [r.status for r in fake_provider.requests] == [401, 401]  # no retry of a rejected key
    assert b"Wr0ngKey" not in stored_bytes()
    assert "Wr0ngKey" not in cli(capsys, "history", "--json")[1]


@pytest.mark.parametrize(("provider", "model", "key_var", "url_var", "url_attr"), PROVIDERS)
def test_a_missing_key_exits_4_and_says_which_variable_to_set(
        provider, model, key_var, url_var, url_attr, capsys, tmp_path, fake_provider, monkeypatch):
    monkeypatch.setenv(url_var, getattr(fake_provider, url_attr))
    code, _, err = cli(capsys, "run", prompt_file(tmp_path, model))
    assert code == 4 and f"set the {key_var} environment variable" in err
    assert fake_provider.requests == []


def test_keys_from_the_environment_and_the_config_never_reach_the_history_or_any_output(
        capsys, tmp_path, fake_provider, monkeypatch):
    env_key, file_key = "sk-test-EnvSecret-51c0ffee", "sk-test-FileSecret-7dbeef"
    monkeypatch.setenv("OPENAI_BASE_URL", fake_provider.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", env_key)
    app_paths().config_file.write_text(f'allow_unpriced_models = true\n[providers.local]\nkind = "openai-compatible"\n'
                                       f'base_url = "{fake_provider.openai_base_url}"\napi_key = "{file_key}"\n')
    fake_provider.default = Behaviour.reply("Two, three, five.")
    assert cli(capsys, "budget", "set", "--daily", "5")[0] == 0
    outputs = [cli(capsys, "run", prompt_file(tmp_path)),
               cli(capsys, "run", "--json", "--provider", "local", prompt_file(tmp_path, "house-llm"))]
    fake_provider.script(Behaviour.broken(after_chunks=1))  # an error, with its message, is recorded too
    outputs.append(cli(capsys, "run", "--json", prompt_file(tmp_path)))
    for argv in (["history"], ["history", "--json"], ["budget", "show", "--json"], ["alerts", "--all", "--json"],
                 ["reprice", "--dry-run", "--json"]):
        outputs.append(cli(capsys, *argv))
    assert [code for code, _, _ in outputs[:2]] == [0, 0] and len(fake_provider.requests) == 3
    shown = "".join(out + err for _, out, err in outputs)
    stored = stored_bytes()
    for secret in (env_key, file_key):
        distinctive = secret.split("-")[2]
        assert distinctive not in shown and distinctive.encode() not in stored

"""The Lab's "auto" model (the pick and why in the preview, recorded with the run) and a prompt file's fallback
chain run from the Lab (each attempt a linked run of its own), against the fake provider."""

from __future__ import annotations

from promptlab_tui.core.money import format_usd, usd_string
from tests.app.conftest import lab_screen, settle
from tests.choice.helpers import only_fake_keys, prompt_tokens, tokens_of  # noqa: F401  (fixture)
from tests.fakeprovider.behaviours import Behaviour

TEXT = "Name three primes."


def _repo(home):
    from promptlab_tui.store.repository import HistoryRepository

    return HistoryRepository(home / "promptlab.db")


async def _pick_auto(pilot, quality: str) -> None:
    await pilot.press("f3")
    await settle(pilot)
    await pilot.press(*f"auto {quality}", "enter")  # the dialog filters as you type
    await settle(pilot)


def write_prompt_file(home, name: str, front: str) -> None:
    """prompts/<name> with `front` as its front matter and TEXT as its user message."""
    folder = home / "prompts"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"+++\n{front}+++\n{TEXT}\n", encoding="utf-8")


async def open_the_only_file(pilot) -> None:
    """ctrl+o, then enter on the one prompt file listed."""
    await settle(pilot)
    await pilot.press("ctrl+o")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def _preview_text(lab) -> str:
    from promptlab_tui.widgets.preview.preview_pane import PreviewPane

    return str(lab.query_one(PreviewPane).render())


async def test_auto_in_the_picker_previews_the_pick_and_why_then_runs_and_records_it(make_app, only_fake_keys,
                                                                                      isolated_home, needs_vocab):
    only_fake_keys.script(Behaviour.reply("2, 3, 5"))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        await _pick_auto(pilot, "medium")
        assert lab.editor.picker.value == "auto:medium"
        assert lab.editor.picker.selected.label == "Auto: quality medium or better"
        lab.query_one("#max-tokens").value = "100"
        lab.query_one("#cost-cap").value = "0.01"  # max_cost: the per-run cap the pick must fit
        await pilot.click("#user-text")
        await pilot.press(*TEXT)
        await settle(pilot)
        shown = _preview_text(lab)
        # medium or better with a key (OpenAI, Anthropic): gpt-4o-mini ($0.15/$0.60 per M) is the cheapest
        worst = prompt_tokens(TEXT) * 150 + 100 * 600
        assert lab.last_preview.model == "gpt-4o-mini" and lab.last_preview.worst_nanos == worst
        assert "auto: gpt-4o-mini (openai, quality medium), the cheapest of quality medium or better" in shown
        assert f"whose worst case {format_usd(worst)} fits max_cost $0.01" in shown
        reason = lab.last_preview.choice
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert lab.results.answer_text == "2, 3, 5"
        assert reason in lab.results.summary_text  # the result says what was picked and why
    assert [r.body["model"] for r in only_fake_keys.requests] == ["gpt-4o-mini"]
    from promptlab_tui.store import run_links

    repo = _repo(isolated_home)
    (run,) = repo.recent_runs(5)
    link = run_links.get(repo.db, run.id)
    assert run.model == "gpt-4o-mini" and run.cost_nanos == prompt_tokens(TEXT) * 150 + tokens_of("2, 3, 5") * 600
    assert link.source == "auto" and link.detail == {"selection": reason, "quality": "medium"}
    repo.close()


async def test_auto_with_a_cap_nothing_fits_says_so_in_the_preview_and_sends_nothing(make_app, only_fake_keys,
                                                                                      isolated_home, needs_vocab):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        await _pick_auto(pilot, "medium")
        lab.query_one("#max-tokens").value = "100"
        worst = prompt_tokens(TEXT) * 150 + 100 * 600
        lab.query_one("#cost-cap").value = str(usd_string(worst - 1000))
        await pilot.click("#user-text")
        await pilot.press(*TEXT)
        await settle(pilot)
        shown = _preview_text(lab)
        assert lab.last_preview is None
        assert "no model of quality medium or better fits max_cost" in shown
        assert "the cheapest, gpt-4o-mini (openai), may cost up to" in shown
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "no model of quality medium or better fits" in lab.results.summary_text
    assert only_fake_keys.requests == []
    repo = _repo(isolated_home)
    assert repo.count_runs() == 0
    repo.close()


async def test_a_prompt_file_opened_with_auto_keeps_its_quality_and_max_cost(make_app, only_fake_keys,
                                                                             isolated_home, needs_vocab):
    write_prompt_file(isolated_home, "pick.md", 'model = "auto"\nquality = "low"\nmax_cost = "0.02"\nmax_tokens = 64\n')
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_the_only_file(pilot)
        lab = lab_screen(app)
        assert lab.editor.picker.value == "auto:low" and lab.query_one("#cost-cap").value == "0.02"
        assert "fits max_cost $0.02" in lab.last_preview.choice and "of quality low or better" in lab.last_preview.choice
        await pilot.press("ctrl+s")  # saved back as it came: auto, its tier and its cap
        await settle(pilot)
    from promptlab_tui.core.promptfile import load_prompt_file

    spec = load_prompt_file(isolated_home / "prompts" / "pick.md")
    assert (spec.model, spec.quality, spec.max_cost_nanos) == ("auto", "low", 20_000_000)


async def test_a_files_fallback_chain_runs_from_the_lab_each_attempt_a_linked_run(make_app, fake_provider_env,
                                                                                  isolated_home, needs_vocab):
    (isolated_home / "config.toml").write_text("request_timeout_seconds = 2.0\n\n[retry]\nmax_attempts = 1\n"
                                               "base_delay_seconds = 0.01\n", encoding="utf-8")
    fake_provider_env.script(Behaviour.server_error(503), Behaviour.reply("2, 3, 5"))  # gpt-4o fails first
    write_prompt_file(isolated_home, "chain.md", 'model = "gpt-4o"\nmax_tokens = 64\nfallback = ["gpt-4o-mini"]\n')
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_the_only_file(pilot)
        lab = lab_screen(app)
        assert "Fallback  then gpt-4o-mini on a provider error" in _preview_text(lab)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert lab.results.answer_text == "2, 3, 5"
        summary = lab.results.summary_text
        assert "fallback: answered by gpt-4o-mini after 1 failed attempt(s): gpt-4o: error" in summary
        answered = prompt_tokens(TEXT) * 150 + tokens_of("2, 3, 5") * 600
        assert f"all attempts {format_usd(answered)}" in summary
    assert [r.body["model"] for r in fake_provider_env.requests] == ["gpt-4o", "gpt-4o-mini"]
    from promptlab_tui.store import run_links

    repo = _repo(isolated_home)
    runs = {run.model: run for run in repo.recent_runs(5)}
    assert set(runs) == {"gpt-4o", "gpt-4o-mini"}  # each attempt a run of its own, costed
    assert runs["gpt-4o"].status == "error" and runs["gpt-4o"].cost_nanos == 0
    assert runs["gpt-4o-mini"].status == "completed" and runs["gpt-4o-mini"].cost_nanos == answered
    links = [run_links.get(repo.db, runs[m].id) for m in ("gpt-4o", "gpt-4o-mini")]
    assert [(l.source, l.position) for l in links] == [("fallback", 0), ("fallback", 1)]
    assert links[0].group_id == links[1].group_id is not None
    assert links[0].detail["chain"] == ["gpt-4o", "gpt-4o-mini"]
    repo.close()


async def test_compare_from_auto_starts_from_the_pick(make_app, only_fake_keys, isolated_home, needs_vocab):
    from promptlab_tui.screens.compare.compare_screen import CompareScreen

    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await _pick_auto(pilot, "medium")
        await pilot.click("#user-text")
        await pilot.press(*TEXT)
        await settle(pilot)
        await pilot.press("alt+c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        models = app.screen.query_one("#compare-models").value.split(", ")
        assert models[0] == "gpt-4o-mini" and "auto" not in models  # the pick, then others of its provider


async def test_confirm_above_for_a_chain_file_names_the_chains_worst_case(make_app, fake_provider_env, isolated_home,
                                                                         needs_vocab):
    """As `promptlab run` asks: the first model's expected cost, and the whole chain's worst case if every model is
    tried (each billed up to its own max tokens)."""
    from promptlab_tui.screens.dialogs.confirm_run import ConfirmRunDialog

    (isolated_home / "config.toml").write_text("confirm_above = 0.000001\n", encoding="utf-8")
    fake_provider_env.default = Behaviour.reply("2, 3, 5")
    write_prompt_file(isolated_home, "chain.md", 'model = "gpt-4o"\nmax_tokens = 64\nfallback = ["gpt-4o-mini"]\n')
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_the_only_file(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmRunDialog)
        # gpt-4o $2.50 / $10.00 and gpt-4o-mini $0.15 / $0.60 per million tokens: nanos per token
        worst = prompt_tokens(TEXT) * (2_500 + 150) + 64 * (10_000 + 600)
        chain = str(app.screen.query_one("#confirm-chain").render())
        assert chain == f"Fallback chain gpt-4o → gpt-4o-mini: worst case {format_usd(worst)} if every model is tried."
        await pilot.press("escape")  # cancel: nothing sent
        await settle(pilot)
        assert fake_provider_env.requests == []
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert lab_screen(app).results.answer_text == "2, 3, 5"
    assert [r.body["model"] for r in fake_provider_env.requests] == ["gpt-4o"]

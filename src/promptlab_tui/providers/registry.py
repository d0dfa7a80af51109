"""Which provider serves a model: built-in endpoints, the user's config, keys from the environment.

Precedence: an environment variable beats the config file (OPENAI_BASE_URL / ANTHROPIC_BASE_URL
for the base URL, the provider's key variable for the key), the config file beats the built-in default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from promptlab_tui.config import AppConfig, ProviderSettings, load_config
from promptlab_tui.providers.base import MissingApiKey, Provider, ProviderError
from promptlab_tui.providers.support import Sleeper


@dataclass(frozen=True)
class BuiltinProvider:
    label: str
    settings: ProviderSettings
    base_url_env: str | None = None


def _compatible(label: str, base_url: str, key_env: str | None, requires_key: bool = True) -> BuiltinProvider:
    return BuiltinProvider(label, ProviderSettings(kind="openai-compatible", base_url=base_url, api_key_env=key_env,
                                                   requires_key=requires_key))


BUILTIN_PROVIDERS: dict[str, BuiltinProvider] = {
    "openai": BuiltinProvider("OpenAI", ProviderSettings(kind="openai", base_url="https://api.openai.com/v1",
                                                         api_key_env="OPENAI_API_KEY", requires_key=True),
                              "OPENAI_BASE_URL"),
    "anthropic": BuiltinProvider("Anthropic", ProviderSettings(kind="anthropic", base_url="https://api.anthropic.com",
                                                               api_key_env="ANTHROPIC_API_KEY", requires_key=True),
                                 "ANTHROPIC_BASE_URL"),
    # Gemini through its OpenAI-compatible endpoint, with the openai SDK.
    "google": _compatible("Google Gemini", "https://generativelanguage.googleapis.com/v1beta/openai/", "GEMINI_API_KEY"),
    "openrouter": _compatible("OpenRouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    "together": _compatible("Together AI", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
    "groq": _compatible("Groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
    "cerebras": _compatible("Cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"),
    "deepseek": _compatible("DeepSeek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
    "mistral": _compatible("Mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
    "xai": _compatible("xAI", "https://api.x.ai/v1", "XAI_API_KEY"),
    "ollama": _compatible("Ollama", "http://localhost:11434/v1", None, requires_key=False),
    "vllm": _compatible("vLLM", "http://localhost:8000/v1", "VLLM_API_KEY", requires_key=False),
}
ALIASES = {"gemini": "google", "claude": "anthropic", "together.ai": "together", "x.ai": "xai"}
_PLACEHOLDER_KEY = "not-needed"  # local servers ignore the key, but the SDKs insist on one


def canonical_name(provider_name: str) -> str:
    name = provider_name.strip().lower()
    return ALIASES.get(name, name)


def infer_provider(model: str) -> str:
    """The provider a bare model name most likely belongs to (used when none is given)."""
    lowered = model.lower()
    if lowered.startswith("claude"):
        return "anthropic"
    if lowered.startswith(("gemini", "gemma")):
        return "google"
    return "openai"


def known_providers(config: AppConfig | None = None) -> list[str]:
    names = set(BUILTIN_PROVIDERS) | set((config or AppConfig()).providers)
    return sorted(names)


@dataclass(frozen=True)
class ResolvedProvider:
    name: str
    label: str
    settings: ProviderSettings  # merged: built-in < config < environment (base URL)


def resolve_settings(provider_name: str, config: AppConfig | None = None) -> ResolvedProvider:
    cfg = config or AppConfig()
    name = provider_name if provider_name in cfg.providers else canonical_name(provider_name)
    builtin = BUILTIN_PROVIDERS.get(name)
    user = cfg.providers.get(name)
    if builtin is None and user is None:
        raise ProviderError(f"Unknown provider '{provider_name}'. Known: {', '.join(known_providers(cfg))}; "
                            f"add others as [providers.{provider_name}] with kind, base_url and api_key_env "
                            "in the config file.", provider=provider_name)
    settings = builtin.settings if builtin else ProviderSettings(kind="openai-compatible", requires_key=True)
    if user is not None:
        overrides = {f.name: getattr(user, f.name) for f in fields(user) if getattr(user, f.name) is not None}
        settings = replace(settings, **overrides)
    if settings.kind is None:
        settings = replace(settings, kind="openai-compatible")
    if builtin and builtin.base_url_env and os.environ.get(builtin.base_url_env):
        settings = replace(settings, base_url=os.environ[builtin.base_url_env])
    if not settings.base_url:
        raise ProviderError(f"Provider '{name}' has no base_url: set it under [providers.{name}] in the config "
                            "file (e.g. base_url = \"http://localhost:8000/v1\").", provider=name)
    label = settings.display_name or (builtin.label if builtin else name)
    return ResolvedProvider(name, label, settings)


def api_key_for(resolved: ResolvedProvider, config: AppConfig | None = None) -> tuple[str, str]:
    """(key, where it came from) — environment variable first, then the config file."""
    settings = resolved.settings
    env = settings.api_key_env
    if env and os.environ.get(env, "").strip():
        return os.environ[env].strip(), env
    if settings.api_key:
        return settings.api_key, "the config file"
    if settings.requires_key is False:
        return _PLACEHOLDER_KEY, "no key (not needed)"
    source = str(config.source) if config is not None and config.source else None
    raise MissingApiKey(resolved.name, env, source)


def import_sdk(provider_name: str, config: AppConfig | None = None) -> str | None:
    """Import the SDK the provider's runs use (anthropic ~1.5 s, openai ~0.6 s), so the first run need not
    wait for it; returns its module name (None: an unknown provider)."""
    import importlib

    try:
        kind = resolve_settings(provider_name, config).settings.kind
    except ProviderError:
        return None
    name = "anthropic" if kind == "anthropic" else "openai"
    importlib.import_module(name)
    return name


# What each API accepts (Anthropic Messages: 0 to 1; OpenAI and the OpenAI-compatible APIs: 0 to 2).
TEMPERATURE_RANGES = {"anthropic": (0.0, 1.0), "openai": (0.0, 2.0), "openai-compatible": (0.0, 2.0)}


def temperature_range(provider_name: str, config: AppConfig | None = None) -> tuple[str, float, float]:
    """(provider label, lowest, highest) temperature the provider's API accepts."""
    resolved = resolve_settings(provider_name, config)
    low, high = TEMPERATURE_RANGES.get(resolved.settings.kind or "openai-compatible", (0.0, 2.0))
    return resolved.label, low, high


def can_run(provider_name: str, config: AppConfig | None = None) -> bool:
    """The provider is known and has its key (or needs none): what the app may offer the user to run."""
    try:
        api_key_for(resolve_settings(provider_name, config), config)
    except ProviderError:
        return False
    return True


def provider_for(model: str, provider_name: str | None = None, config: AppConfig | None = None, *,
                 sleep: Sleeper | None = None) -> Provider:
    """The Provider that runs `model` at `provider_name` (inferred from the model when None).

    Raises MissingApiKey (naming the variable to set) or ProviderError for an unknown provider.
    `config` defaults to the user's config file; `sleep` replaces the retry wait (tests).
    """
    cfg = config if config is not None else load_config()
    resolved = resolve_settings(provider_name or infer_provider(model), cfg)
    key, key_source = api_key_for(resolved, cfg)
    settings = resolved.settings
    timeout = settings.timeout_seconds or cfg.request_timeout_seconds
    if settings.kind == "anthropic":
        from promptlab_tui.providers.anthropic_messages import AnthropicMessagesProvider

        return AnthropicMessagesProvider(resolved.name, model, label=resolved.label, base_url=settings.base_url or "",
                                         api_key=key, key_source=key_source, timeout=timeout, retry=cfg.retry,
                                         sleep=sleep)
    from promptlab_tui.providers.openai_chat import OpenAIChatProvider

    return OpenAIChatProvider(resolved.name, model, kind=settings.kind or "openai-compatible", label=resolved.label,
                              base_url=settings.base_url or "", api_key=key, key_source=key_source, timeout=timeout,
                              retry=cfg.retry, max_tokens_param=settings.max_tokens_param, sleep=sleep)

"""Hiding secrets in text that may be shown, logged or stored: credentials in URLs and key-shaped strings.

Applied to every provider error message, to the error stored with a run and to what the CLI prints,
so a key pasted into a base URL (`http://user:KEY@host/v1`, `...?api_key=KEY`, `/v1/KEY/`) never leaks.
"""

from __future__ import annotations

import re

MASK = "***"
# scheme://user:password@host -> scheme://***@host
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@?#]+@")
# ?api_key=...&token=... in a query string
_SECRET_PARAM = re.compile(r"(?i)([?&;](?:api[_-]?key|key|token|access[_-]?token|auth|secret|password|pass|"
                           r"sig|signature|x-api-key)=)[^&\s#'\"]+")
# keys with a provider's prefix: OpenAI sk-, Groq gsk_, Cerebras csk-, Google AIza, xAI, Hugging Face, GitHub...
_PREFIXED_KEY = re.compile(r"(?<![A-Za-z0-9])(sk-ant-|sk-proj-|sk-or-|sk-|sk_|gsk_|csk-|AIza|xai-|hf_|ghp_|r8_|pplx-)"
                           r"[-_A-Za-z0-9]{6,}")
# anything else key-shaped: 32+ letters and digits in one piece, both present (ids with dashes, snake_case
# names such as test_a_long_name_19, file names and model names are not)
_KEY_SHAPED = re.compile(r"(?<![-_.A-Za-z0-9])(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{32,}"
                         r"(?![-_A-Za-z0-9])")


def redact_secrets(text: str, *secrets: str) -> str:
    """`text` with URL credentials, secret query parameters, key-shaped strings and `secrets` masked."""
    if not text:
        return text
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    text = _URL_USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)
    text = _SECRET_PARAM.sub(lambda m: m.group(1) + MASK, text)
    text = _PREFIXED_KEY.sub(lambda m: m.group(1) + MASK, text)
    return _KEY_SHAPED.sub(MASK, text)

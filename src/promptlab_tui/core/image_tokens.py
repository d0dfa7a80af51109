"""Tokens of an image in a prompt, by each provider's published formula, from the image's real size.

The size is read from the file header (PNG, JPEG, GIF, WebP) of a data URL's bytes or a local file:
nothing is decoded, resized or uploaded to count it. An image we cannot see (an http URL, a broken
file) is counted at the formula's largest value and marked approximate.
"""

from __future__ import annotations

import base64
import math
import struct
from dataclasses import dataclass

# OpenAI tile models: (base tokens, tokens per 512-px tile) from OpenAI's vision guide.
_OPENAI_TILES = (("gpt-4o-mini", 2833, 5667), ("gpt-5", 70, 140), ("o1", 75, 150), ("o3", 75, 150),
                 ("computer-use", 65, 129), ("gpt-4o", 85, 170), ("gpt-4.1", 85, 170), ("gpt-4.5", 85, 170),
                 ("chatgpt-4o", 85, 170), ("gpt-4", 85, 170))
# OpenAI patch models: 32-px patches, at most 1536, times a per-model multiplier.
_OPENAI_PATCHES = (("gpt-4.1-mini", 1.62), ("gpt-4.1-nano", 2.46), ("o4-mini", 1.72))
PATCH_PX, MAX_PATCHES = 32, 1536
ANTHROPIC_MAX_EDGE = 1568
ANTHROPIC_MAX_PIXELS = 1_150_000  # "about 1.15 megapixels": larger images are scaled down first
GEMINI_TILE_TOKENS = 258  # per 768x768 tile; an image with both sides <= 384 px is one tile
HEADER_BYTES = 1 << 16  # enough for a JPEG's frame header after ordinary EXIF data


@dataclass(frozen=True)
class ImageSize:
    width: int
    height: int
    format: str


def image_size(data: bytes) -> ImageSize | None:
    """Width and height from a PNG, JPEG, GIF or WebP header; None when the bytes are none of these."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return ImageSize(width, height, "png")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return ImageSize(width, height, "gif")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _webp_size(data: bytes) -> ImageSize | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return ImageSize(1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little"), "webp")
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return ImageSize((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, "webp")
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return ImageSize(width & 0x3FFF, height & 0x3FFF, "webp")
    return None


def _jpeg_size(data: bytes) -> ImageSize | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:  # markers without a length
            index += 2
            continue
        length = struct.unpack(">H", data[index + 2:index + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[index + 5:index + 9])
            return ImageSize(width, height, "jpeg")
        index += 2 + length
    return None


def data_url_bytes(url: str) -> bytes | None:
    """The bytes of a base64 data URL (enough of them for the header); None when it is not one."""
    if not url.startswith("data:") or ";base64," not in url[:100]:
        return None
    payload = url.split(",", 1)[1][: HEADER_BYTES * 4 // 3 + 4]
    payload = payload[: len(payload) // 4 * 4]
    try:
        return base64.b64decode(payload, validate=False)
    except ValueError:
        return None


# -- the formulas ---------------------------------------------------------------------------------

def _openai_tiles(model: str) -> tuple[int, int] | None:
    name = model.lower().rsplit("/", 1)[-1]
    for prefix, base, tile in _OPENAI_TILES:
        if name.startswith(prefix):
            return base, tile
    return None


def openai_high_detail_size(width: int, height: int) -> tuple[int, int]:
    """Fit in 2048x2048, then scale down so the shortest side is 768 (never up)."""
    scale = min(1.0, 2048 / max(width, height))
    width, height = width * scale, height * scale
    scale = min(1.0, 768 / min(width, height))
    return _floor(width * scale), _floor(height * scale)


def _floor(value: float) -> int:
    return math.floor(value + 1e-9)  # 3000 * (1568 / 3000) is 1567.9999... in floating point


def openai_patches(width: int, height: int) -> int:
    """32-px patches; above 1536, the image is scaled down so whole patches fit in 1536."""
    patches = math.ceil(width / PATCH_PX) * math.ceil(height / PATCH_PX)
    if patches <= MAX_PATCHES:
        return patches
    shrink = math.sqrt(PATCH_PX * PATCH_PX * MAX_PATCHES / (width * height))
    shrink *= min(math.floor(width * shrink / PATCH_PX) / (width * shrink / PATCH_PX),
                  math.floor(height * shrink / PATCH_PX) / (height * shrink / PATCH_PX))
    return math.ceil(int(width * shrink) / PATCH_PX) * math.ceil(int(height * shrink) / PATCH_PX)


def openai_image_tokens(model: str, width: int, height: int, detail: str) -> tuple[int, bool]:
    """(tokens, formula published for this model). detail "auto" is counted as "high" (its upper bound)."""
    name = model.lower().rsplit("/", 1)[-1]
    for prefix, multiplier in _OPENAI_PATCHES:
        if name.startswith(prefix):
            return math.ceil(openai_patches(width, height) * multiplier), True
    tiles = _openai_tiles(model)
    known = tiles is not None
    base, per_tile = tiles or (85, 170)
    if detail == "low":
        return base, known
    fitted_width, fitted_height = openai_high_detail_size(width, height)
    count = math.ceil(fitted_width / 512) * math.ceil(fitted_height / 512)
    return base + per_tile * count, known


def anthropic_image_size(width: int, height: int) -> tuple[int, int]:
    """The size Claude sees: long edge at most 1568 px and at most ~1.15 MP, aspect ratio kept."""
    scale = min(1.0, ANTHROPIC_MAX_EDGE / max(width, height), math.sqrt(ANTHROPIC_MAX_PIXELS / (width * height)))
    return _floor(width * scale), _floor(height * scale)


def anthropic_image_tokens(width: int, height: int) -> int:
    seen_width, seen_height = anthropic_image_size(width, height)
    return math.ceil(seen_width * seen_height / 750)


def gemini_image_tokens(width: int, height: int) -> int:
    if width <= 384 and height <= 384:
        return GEMINI_TILE_TOKENS
    return GEMINI_TILE_TOKENS * math.ceil(width / 768) * math.ceil(height / 768)


# An image whose size is unknown: the largest each formula gives (a 768x2048 high-detail image; 1.15 MP).
def largest_image_tokens(model: str) -> int:
    family = model.lower()
    if "claude" in family:
        return math.ceil(ANTHROPIC_MAX_PIXELS / 750)
    if "gemini" in family:
        return GEMINI_TILE_TOKENS * 6
    return openai_image_tokens(model, 768, 2048, "high")[0]


def image_head(url: str) -> bytes | None:
    """The first bytes of an image given as a data URL or a local file path (file:// or plain); None for
    anything else (http URLs are never fetched to count them)."""
    data = data_url_bytes(url)
    if data is not None or url.startswith("data:"):
        return data
    if "://" in url and not url.startswith("file://"):
        return None
    path = url[len("file://"):] if url.startswith("file://") else url
    try:
        with open(path, "rb") as stream:  # the header only: an image is never read whole to count it
            return stream.read(HEADER_BYTES)
    except OSError:
        return None

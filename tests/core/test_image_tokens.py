"""Images counted by each provider's published formula, from the size in the file's header (worked by hand)."""

from __future__ import annotations

import base64
import json
import struct

import pytest

from promptlab_tui.core.image_tokens import (
    anthropic_image_size,
    anthropic_image_tokens,
    image_size,
    openai_image_tokens,
)
from promptlab_tui.core.promptfile import load_prompt_file
from promptlab_tui.core.request_tokens import count_prompt


def png(width: int, height: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height) + b"\x08\x02\0\0\0"


def jpeg(width: int, height: int) -> bytes:
    exif = b"\xff\xe1" + struct.pack(">H", 18) + b"Exif\0\0" + b"\0" * 10  # an APP1 segment before the frame
    frame = b"\xff\xc0" + struct.pack(">HBHH", 17, 8, height, width) + b"\x03" + b"\0" * 9
    return b"\xff\xd8" + exif + frame + b"\xff\xd9"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\0\0\0"


def webp(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\0\0\0\0" + (width - 1).to_bytes(3, "little") \
        + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


@pytest.mark.parametrize("make, fmt", [(png, "png"), (jpeg, "jpeg"), (gif, "gif"), (webp, "webp")])
def test_the_size_is_read_from_each_format_header(make, fmt):
    size = image_size(make(1234, 567))
    assert (size.width, size.height, size.format) == (1234, 567, fmt)


def test_bytes_that_are_no_image_have_no_size():
    assert image_size(b"hello world, not an image") is None


@pytest.mark.parametrize("model, width, height, detail, tokens", [
    ("gpt-4o", 4096, 8192, "low", 85),            # low detail: the base, whatever the size
    ("gpt-4o", 1024, 1024, "high", 765),          # 768x768 -> 2x2 tiles: 85 + 4x170
    ("gpt-4o", 2048, 4096, "high", 1105),         # 1024x2048 -> 768x1536 -> 2x3 tiles: 85 + 6x170
    ("gpt-4o", 512, 512, "high", 255),            # never scaled up: one tile
    ("gpt-4o", 800, 600, "high", 765),            # shortest side already <= 768: 800x600 -> 2x2 tiles
    ("gpt-4o-mini", 1024, 1024, "high", 25501),   # 2833 + 4x5667
    ("gpt-4o-mini", 1024, 1024, "low", 2833),
    ("gpt-4.1-mini", 1024, 1024, "high", 1659),   # 32x32 patches = 1024, x1.62 = 1658.9
])
def test_openai_image_formula_by_hand(model, width, height, detail, tokens):
    assert openai_image_tokens(model, width, height, detail)[0] == tokens


@pytest.mark.parametrize("width, height, seen, tokens", [
    (200, 200, (200, 200), 54),          # 40,000 / 750 = 53.3
    (1000, 1000, (1000, 1000), 1334),    # 1,000,000 / 750 = 1333.3
    (3000, 1000, (1568, 522), 1092),     # long edge to 1568: 1568 x 522 = 818,496 / 750 = 1091.3
    (2000, 2000, (1072, 1072), 1533),    # 1.15 MP: x0.5362 -> 1072 x 1072 = 1,149,184 / 750 = 1532.2
])
def test_anthropic_image_formula_after_its_resizing_by_hand(width, height, seen, tokens):
    assert anthropic_image_size(width, height) == seen
    assert anthropic_image_tokens(width, height) == tokens


def _image_file(tmp_path, parts):
    path = tmp_path / "look.json"
    path.write_text(json.dumps({"messages": [{"role": "user", "content": parts}]}))
    return path


def test_images_in_a_prompt_file_are_counted_one_by_one_from_a_path_and_a_data_url(tmp_path):
    (tmp_path / "photo.png").write_bytes(png(1024, 1024))
    data_url = "data:image/jpeg;base64," + base64.b64encode(jpeg(2048, 4096)).decode()
    spec = load_prompt_file(_image_file(tmp_path, [
        {"type": "text", "text": "Compare these."},
        {"type": "image_url", "image_url": {"url": "photo.png", "detail": "high"}},
        {"type": "image_url", "image_url": {"url": data_url, "detail": "low"}},
    ]))
    spec.model = "gpt-4o"
    counted = count_prompt(spec)
    assert [(i.label, i.tokens, i.exact) for i in counted.images] == [("image 1", 765, True), ("image 2", 85, True)]
    assert "1024x1024 png" in counted.images[0].detail
    text_only = count_prompt(spec.__class__(messages=[spec.messages[0].__class__("user", "Compare these.")],
                                            model="gpt-4o")).tokens
    assert counted.tokens == text_only + 765 + 85 and counted.count.exact
    spec.model = "claude-haiku-4-5"
    assert [i.tokens for i in count_prompt(spec).images] == [1399, 1533]  # 1,048,576/750; 2048x4096 -> 758x1516


def test_an_http_image_is_not_fetched_and_counts_as_the_largest_possible(tmp_path):
    spec = load_prompt_file(_image_file(tmp_path, [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": "https://example.invalid/x.png", "detail": "high"}}]))
    spec.model = "gpt-4o"
    image = count_prompt(spec).images[0]
    assert image.tokens == 1445 and not image.exact  # 768x2048: 2x4 tiles
    assert "not downloaded" in image.detail


def test_detail_auto_is_counted_as_high_and_said_to_be(tmp_path):
    (tmp_path / "p.gif").write_bytes(gif(1024, 1024))
    spec = load_prompt_file(_image_file(tmp_path, [{"type": "image_url", "image_url": {"url": "p.gif"}}]))
    spec.model = "gpt-4o"
    counted = count_prompt(spec)
    assert counted.images[0].tokens == 765 and "auto counted as high" in counted.images[0].detail
    assert counted.approximate_parts == ("images",)


def test_a_missing_image_file_is_a_clear_error(tmp_path):
    from promptlab_tui.core.promptfile import PromptFileError

    with pytest.raises(PromptFileError) as caught:
        load_prompt_file(_image_file(tmp_path, [{"type": "image_url", "image_url": {"url": "gone.png"}}]))
    assert caught.value.field == "messages[0].content[0].image_url.url"
    assert "an image file that exists" in str(caught.value)

"""Peer Textual apps from PyPI, each in its own venv under the user's cache (never the main environment:
they pin other Textual versions), created on demand with pip."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Peer:
    name: str  # the PyPI distribution
    requirements: tuple[str, ...]
    argv: Callable[[Path, Path], list[str]]  # (venv bin dir, work dir) -> command line
    why_pinned: str | None = None
    extra: dict = field(default_factory=dict)


def _toolong(bin_dir: Path, work: Path) -> list[str]:
    log = work / "app.log"
    if not log.exists():
        log.write_text("".join(f"2025-01-01T12:{i // 60 % 60:02d}:{i % 60:02d}Z INFO request {i} served in "
                               f"{i % 97} ms\n" for i in range(5000)))
    return [str(bin_dir / "tl"), str(log)]


PEERS = (
    Peer("toolong", ("toolong",), _toolong),
    Peer("elia-chat", ("elia-chat",), lambda b, w: [str(b / "elia")]),
    Peer("harlequin", ("harlequin",), lambda b, w: [str(b / "harlequin"), str(w / "bench.duckdb")]),
    # tree-sitter 0.26 segfaults under posting's pinned Textual 6.1 (TextArea highlight query).
    Peer("posting", ("posting", "tree-sitter<0.26"), lambda b, w: [str(b / "posting")],
         why_pinned="tree-sitter<0.26 (0.26 segfaults with posting's Textual 6.1)"),
)


class PeerUnavailable(RuntimeError):
    pass


def peers_root() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return Path(os.environ.get("PROMPTLAB_BENCH_PEERS") or cache / "promptlab-bench" / "peers")


def venv_bin(peer: Peer) -> Path:
    return peers_root() / peer.name / "bin"


def is_installed(peer: Peer) -> bool:
    return (venv_bin(peer) / ".promptlab-bench-installed").exists()


def ensure_installed(peer: Peer, allow_install: bool, timeout_s: float = 900) -> Path:
    """The peer's venv bin dir, installing it first when allowed; PeerUnavailable says why not."""
    bin_dir = venv_bin(peer)
    if is_installed(peer):
        return bin_dir
    if not allow_install:
        raise PeerUnavailable(f"not installed (quick mode skips installing; a full run installs it into {bin_dir.parent})")
    venv = bin_dir.parent
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True,
                       timeout=120)
        result = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", *peer.requirements],
                                capture_output=True, text=True, timeout=timeout_s)
    except (OSError, subprocess.SubprocessError) as error:
        raise PeerUnavailable(f"could not create its venv: {error}") from error
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if not line.startswith("WARNING")]
        raise PeerUnavailable(f"pip install failed: {' '.join(lines[-2:])[:300]}")
    (bin_dir / ".promptlab-bench-installed").write_text(" ".join(peer.requirements) + "\n")
    return bin_dir


def textual_version(bin_dir: Path) -> str | None:
    try:
        out = subprocess.run([str(bin_dir / "python"), "-c", "import importlib.metadata as m;"
                              "print(m.version('textual'))"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None

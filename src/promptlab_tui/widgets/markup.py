"""Text shown inside Textual markup: every "[" escaped, so names and messages print as typed.

Textual's own `escape` leaves "[ draft ]" and "[B]" unescaped, and its parser then drops them as tags.
"""

from __future__ import annotations


def escape(text: str) -> str:
    """`text` for a markup string: shown exactly (backslashes are literal unless they precede "[")."""
    return text.replace("[", "\\[")

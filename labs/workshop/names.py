"""Display names in a workshop: normalised once, compared by a look-alike key, shown literally.

A name is what a learner types, so it is hostile input on the instructor's screen:
- `labs.store.learners.clean_name` applies NFKC (full-width and ligature forms fold to
  plain letters), removes control, format and bidi characters (zero-width spaces, the
  right-to-left override), then trims and collapses white space. What is stored and shown
  is this cleaned name.
- `name_key` is what uniqueness compares: the cleaned name case-folded, with the common Cyrillic
  and Greek look-alikes of Latin letters mapped to them, so `alice`, `A\\u200blice`, `ＡＬＩＣＥ`
  and `Аlice` (Cyrillic A) cannot sit beside "Alice" in one workshop.
- `literal` escapes a string for Streamlit's Markdown, so a name like `![x](http://…)` or
  `<img src=…>` shows as those characters instead of loading anything.

Leaves out: the full Unicode confusables table (the map below covers the letters an impostor
reaches for first; anything else still differs visibly or by case-folding).
"""

from __future__ import annotations

import string

from labs.store.learners import clean_name

# Cyrillic and Greek letters that render like Latin ones (lower case: the key is case-folded).
_LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "м": "m", "н": "h",
    "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ɡ": "g", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ı": "i",
})


def name_key(name: str) -> str:
    """The form two names are compared in: `name_key("ＡLICE") == name_key("аlice") == "alice"`."""
    return clean_name(name).casefold().translate(_LOOKALIKES)


_MARKDOWN_SPECIALS = set(string.punctuation)


def literal(text: str) -> str:
    """Backslash-escape every ASCII punctuation mark (CommonMark treats `\\x` as a literal x),
    so Markdown, HTML, Streamlit's `:color[…]` directives and `$math$` all show as typed.

    >>> literal("**hi** <b>")
    '\\\\*\\\\*hi\\\\*\\\\* \\\\<b\\\\>'
    """
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in text)

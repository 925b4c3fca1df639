"""Read-only file access under one root for the `corpus://{+path}` resource template.

`resolve_inside(root, requested)` turns a client-supplied relative path into a real file under
`root`, or raises PathRefused saying why. It refuses, before touching the file system:
`..` segments, absolute paths (POSIX, Windows drive and UNC forms), backslashes, NUL and other
control characters, and all of these hidden behind percent-encoding, however many times
encoded (`%2e%2e%2f`, `%252e%252e%252f`). Then it resolves the path and refuses symlinks
anywhere on the way (even ones pointing inside the root: the corpus has none, so any is
suspect), anything outside the root, directories and files of other types.

The SDK's ResourceSecurity already rejects `..` and absolute paths after one decoding; this
module is the second, stricter line, because a path check is exactly where one layer is not enough.
Left out: write access of any kind and listing directories.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

ALLOWED_SUFFIXES = (".md", ".yaml", ".yml", ".jsonl", ".json", ".txt")
MAX_BYTES = 512_000


class PathRefused(ValueError):
    """A requested path that is not a readable file under the root; the message says why."""


def _fully_decoded(value: str, rounds: int = 5) -> str:
    """Percent-decode until the string stops changing.

    >>> _fully_decoded("%252e%252e%252fetc")
    '../etc'
    """
    for _ in range(rounds):
        decoded = unquote(value)
        if decoded == value:
            return value
        value = decoded
    raise PathRefused("path is percent-encoded too many times")


def check_relative(requested: str) -> list[str]:
    """The path's segments if it is a plain relative path, else PathRefused.

    >>> check_relative("northwind/api-errors.md")
    ['northwind', 'api-errors.md']
    """
    if not requested or not requested.strip():
        raise PathRefused("empty path")
    decoded = _fully_decoded(requested)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in decoded):
        raise PathRefused("path contains a control character")
    if "\\" in decoded:
        raise PathRefused("backslashes are not path separators here")
    if decoded.startswith("/") or (len(decoded) > 1 and decoded[1] == ":"):
        raise PathRefused("absolute paths are refused; give a path relative to the corpus")
    parts = decoded.split("/")
    if any(p in ("..", ".") for p in parts):
        raise PathRefused("'..' and '.' segments are refused")
    if any(p == "" for p in parts):
        raise PathRefused("empty path segment ('//' or a trailing '/')")
    return parts


def resolve_inside(root: Path, requested: str) -> Path:
    """The regular file `requested` names under `root`, checked segment by segment."""
    parts = check_relative(requested)
    root = root.resolve()
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise PathRefused("symbolic links are refused")
    if not current.exists():
        raise PathRefused(f"no such file: {'/'.join(parts)}")
    resolved = current.resolve()
    if not resolved.is_relative_to(root):  # belt and braces: the symlink walk already refuses
        raise PathRefused("path escapes the corpus")
    if not resolved.is_file():
        raise PathRefused("not a file (directories are not listed)")
    if resolved.suffix.lower() not in ALLOWED_SUFFIXES:
        raise PathRefused(f"only {', '.join(ALLOWED_SUFFIXES)} files are served")
    if resolved.stat().st_size > MAX_BYTES:
        raise PathRefused(f"file is larger than {MAX_BYTES // 1000} kB")
    return resolved


def list_files(root: Path) -> list[str]:
    """Every servable file under root, relative and '/'-separated, skipping symlinks."""
    if not root.is_dir():
        return []
    out = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink() or any(q.is_symlink() for q in p.relative_to(root).parents
                                 if str(q) != "." and (root / q).is_symlink()):
            continue
        if p.is_file() and p.suffix.lower() in ALLOWED_SUFFIXES:
            out.append(rel)
    return out

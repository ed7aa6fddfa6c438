"""Fingerprints of a notebook, by kind of evidence, each with where it lies.

Four kinds, each a mapping from a hash to the places that carry it:

- ``run``: lines a training cell (one that calls ``.fit(``) printed that
  carry a number with three or more decimals (losses, accuracies): training
  from a random start prints other numbers on every run, whereas the seeded
  examples and the pretrained model's evaluation print the same for all;
- ``code``: winnowed k-grams of Python's own tokens, each whole cell's, and
  the graded functions' together,
  names and strings normalised (a name the hand-out imports, an attribute
  and a keyword argument keep their spelling; the others are numbered in
  order of use, so renaming one's variables changes none);
- ``text``: source lines as typed, comments, names and spacing included;
- ``file``: whole cells and whole outputs byte for byte, each cell's id and
  metadata, runs of execution counts out of the order a top-to-bottom
  run gives, and the whole notebook's execution counts where they show a
  history of its own (``SESSION_DEPARTURES``).

Hashes are 64-bit BLAKE2 digests, not Python's ``hash`` (salted per
process): winnowing keeps the smallest hash of each window, so the same
notebooks must give the same hashes in every run for the same page.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import keyword
import re
import tokenize
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from grader.similarity.documents import Cell, Document

KINDS = ("run", "code", "text", "file")
"""The kinds of fingerprint, as ``Fingerprints.by_kind`` keys them."""
K = 10
"""Tokens in a k-gram: long enough that one line of fill-in code is not one."""
WINDOW = 4
"""Winnowing window: a match of ``K + WINDOW - 1`` tokens is always seen."""
LINE_MIN = 10
"""Shortest line (characters, spaces aside) taken as ``text`` evidence."""
COUNT_RUN = 5
"""Execution counts in a ``file`` fingerprint of a notebook's running order."""
SESSION_DEPARTURES = 2
"""Departures from one run top to bottom (a first count other than 1, a gap
or a repeat between counts in increasing order) from which a notebook's
execution counts, all together, are a ``file`` fingerprint: one departure
(the notebook run again after some earlier runs, or one cell run twice) is
what many students' counts show alike."""
RUN_NUMBER = re.compile(r"\d\.\d{3,}")
"""A number that differs between two runs of a training cell."""
RUN_CELL = re.compile(r"\.fit(?:_generator)?\s*\(")
"""A cell that trains a model from a random start."""
_MAGIC = re.compile(r"^\s*[%!]")
_SPACES = re.compile(r"\s+")

#: Where a fingerprint lies: cell index, ``src``/``out``/``meta``, and the
#: first and last line (0-based) of the cell's source or printed text.
Span = tuple[int, str, int, int]


@dataclass
class Fingerprints:
    """A document's fingerprints: kind, then hash, then where it lies."""

    by_kind: dict[str, dict[int, list[Span]]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS}
    )

    def add(self, kind: str, value: int, span: Span) -> None:
        """Record that ``value`` (a hash) lies at ``span``."""
        self.by_kind[kind].setdefault(value, []).append(span)

    def without(self, boilerplate: Mapping[str, set[int]]) -> Fingerprints:
        """These fingerprints less those of the hand-out."""
        kept = Fingerprints()
        for kind, spans in self.by_kind.items():
            drop = boilerplate.get(kind, set())
            kept.by_kind[kind] = {h: s for h, s in spans.items() if h not in drop}
        return kept


def stable_hash(*parts: object) -> int:
    """A hash of ``parts`` that is the same in every process."""
    text = "\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def _tokens(source: str) -> Iterator[tokenize.TokenInfo]:
    """Python's tokens of a cell, magics blanked; stops quietly at bad code."""
    code = "\n".join("" if _MAGIC.match(line) else line for line in source.splitlines())
    try:
        yield from tokenize.generate_tokens(io.StringIO(code + "\n").readline)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return


_KEPT = frozenset(dir(builtins)) | frozenset(keyword.kwlist)
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
#: A string, or (Python 3.12+) a piece of an f-string.
_STRINGS = {
    getattr(tokenize, name)
    for name in ("STRING", "FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
    if hasattr(tokenize, name)
}
_SYMBOLS = {tokenize.NEWLINE: ";", tokenize.INDENT: "{", tokenize.DEDENT: "}"}


def normalised_tokens(source: str, kept: frozenset[str]) -> list[tuple[str, int, int]]:
    """The cell's tokens as (text, first line, last line), normalised.

    A name is numbered in order of first use (``V0``, ``V1``...: renaming
    a variable throughout changes nothing) unless Python defines it,
    ``kept`` holds it (the hand-out's imports), it follows a dot or it names
    a keyword argument; a string loses its quotes and prefix, and a string
    of several lines (a docstring) its text; comments and blank lines go,
    and line breaks inside brackets with them.
    """
    raw = [t for t in _tokens(source) if t.type not in _SKIPPED]
    names: dict[str, str] = {}
    out = []
    for i, tok in enumerate(raw):
        text = tok.string
        if tok.type == tokenize.NAME:
            after_dot = i > 0 and raw[i - 1].string == "."
            argument = (
                i + 1 < len(raw)
                and raw[i + 1].string == "="
                and i > 0
                and raw[i - 1].string in "(,"
            )
            if not (text in _KEPT or text in kept or after_dot or argument):
                text = names.setdefault(text, f"V{len(names)}")
        elif tok.type in _STRINGS:
            text = text.strip("'\"rRbBuUfF")
        text = _SYMBOLS.get(tok.type, text)
        out.append((text, tok.start[0] - 1, tok.end[0] - 1))
    return out


def winnow(hashes: list[int], window: int = WINDOW) -> list[int]:
    """Indexes of the hashes winnowing keeps: each window's rightmost minimum."""
    if len(hashes) <= window:
        return [hashes.index(min(hashes))] if hashes else []
    chosen: list[int] = []
    for start in range(len(hashes) - window + 1):
        part = hashes[start : start + window]
        low = min(part)
        best = start + window - 1 - part[::-1].index(low)
        if not chosen or chosen[-1] != best:
            chosen.append(best)
    return chosen


def _code(prints: Fingerprints, cell: Cell, kept: frozenset[str]) -> int | None:
    """Add a cell's code fingerprints; return its whole-cell hash, if any."""
    tokens = normalised_tokens(cell.source, kept)
    if len(tokens) < K:
        return None
    grams = [tuple(t[0] for t in tokens[i : i + K]) for i in range(len(tokens) - K + 1)]
    hashes = [stable_hash(*gram) for gram in grams]
    for i in winnow(hashes):
        prints.add(
            "code", hashes[i], (cell.index, "src", tokens[i][1], tokens[i + K - 1][2])
        )
    # The whole cell as one fingerprint: each piece of a fill-in answer is
    # what everyone writes, but the whole of it often is not.
    whole = stable_hash("cell", *(t[0] for t in tokens))
    prints.add("code", whole, (cell.index, "src", 0, tokens[-1][2]))
    return whole


def _text(prints: Fingerprints, cell: Cell) -> None:
    for number, line in enumerate(cell.source.splitlines()):
        if len(_SPACES.sub("", line)) >= LINE_MIN:
            prints.add(
                "text",
                stable_hash("text", line.rstrip()),
                (cell.index, "src", number, number),
            )


def _run(prints: Fingerprints, cell: Cell) -> None:
    if not RUN_CELL.search(cell.source):
        return
    for number, line in enumerate(cell.printed):
        if RUN_NUMBER.search(line):
            value = stable_hash("run", _SPACES.sub(" ", line))
            prints.add("run", value, (cell.index, "out", number, number))


def _file(prints: Fingerprints, cells: Sequence[Cell]) -> None:
    for cell in cells:
        if cell.metadata:
            # What Jupyter or Colab keeps per cell (scrolled, collapsed, ids)
            # travels with a copied file, cleared outputs or not.
            first = cell.source.strip().partition("\n")[0]
            value = stable_hash("meta", first, cell.metadata)
            prints.add("file", value, (cell.index, "meta", 0, 0))
        if cell.kind != "code":
            continue
        if cell.source.count("\n") >= 2:
            last = cell.source.count("\n")
            prints.add(
                "file", stable_hash("cell", cell.source), (cell.index, "src", 0, last)
            )
        if cell.outputs:
            last = max(len(cell.printed) - 1, 0)
            prints.add(
                "file", stable_hash("out", cell.outputs), (cell.index, "out", 0, last)
            )
    for value, spans in history(cells).items():
        for span in spans:
            prints.add("file", value, span)


def history(cells: Iterable[Cell]) -> dict[int, list[Span]]:
    """The ``file`` fingerprints of a notebook's execution counts.

    Five cells in a row run out of the order a run top to bottom gives, and
    all the counts together where they show a history of the notebook's own
    (``SESSION_DEPARTURES``): the outputs' own fingerprints, which no
    hand-out gives and a copy that kept its outputs carries whatever was
    done to its code.
    """
    counted = [c for c in cells if c.kind == "code" and c.execution_count is not None]
    found: dict[int, list[Span]] = {}
    session = _session([c.execution_count or 0 for c in counted])
    if session is not None:
        found[session] = [(c.index, "meta", 0, 0) for c in counted]
    for i in range(len(counted) - COUNT_RUN + 1):
        run = counted[i : i + COUNT_RUN]
        counts = [c.execution_count or 0 for c in run]
        if all(b > a for a, b in zip(counts, counts[1:], strict=False)):
            continue  # top to bottom, a cell skipped or run twice: says nothing
        value = stable_hash("counts", *counts)
        found.setdefault(value, []).extend((c.index, "meta", 0, 0) for c in run)
    return found


def _session(counts: list[int]) -> int | None:
    """The hash of all of a notebook's execution counts, where they are its own.

    Sorted, so that moving cells changes nothing. A different author of the
    same hand-out has the same counts only by running the same cells the
    same number of times in the same order: a run top to bottom with one
    departure from it often is that, one with two seldom is.
    """
    ordered = sorted(counts)
    if len(ordered) < COUNT_RUN:
        return None
    steps = zip(ordered, ordered[1:], strict=False)
    departures = (ordered[0] != 1) + sum(b - a != 1 for a, b in steps)
    if departures < SESSION_DEPARTURES:
        return None
    return stable_hash("session", *ordered)


def fingerprint(doc: Document, kept: frozenset[str] = frozenset()) -> Fingerprints:
    """Every fingerprint of ``doc``; ``kept`` names keep their spelling in code."""
    prints = Fingerprints()
    graded: list[tuple[str, int, Span]] = []
    for cell in doc.cells:
        if cell.kind == "code":
            whole = _code(prints, cell, kept)
            if whole is not None and cell.index in doc.functions:
                span = (cell.index, "src", 0, cell.source.count("\n"))
                graded.append((doc.functions[cell.index], whole, span))
            _run(prints, cell)
        if cell.kind in ("code", "markdown"):
            _text(prints, cell)
    if len(graded) > 1:
        # All the graded functions together: each may be what several wrote,
        # and yet the three together what no one else did.
        value = stable_hash("graded", *sorted((f, w) for f, w, _ in graded))
        for _, _, span in graded:
            prints.add("code", value, span)
    _file(prints, doc.cells)
    return prints


def imported_names(docs: Iterable[Document]) -> frozenset[str]:
    """Names the hand-out's import lines bind (``Conv2D``, ``np``).

    They are API names a student does not rename, kept as spelled in
    ``code`` fingerprints.
    """
    names: set[str] = set()
    pattern = re.compile(r"^\s*(?:from\s+\S+\s+)?import\s+(.+)$", re.MULTILINE)
    for doc in docs:
        for cell in doc.cells:
            for match in pattern.finditer(cell.source):
                for part in match.group(1).split(","):
                    words = part.replace("(", " ").replace(")", " ").split()
                    if words:
                        names.add(words[-1])
    return frozenset(names)

"""The records of an import: each CSV data row with the line it starts on. An import has no
port of its own: it writes through the employees, terms and org-unit ports, in one unit of
work, so every row lands or none does."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Row:
    """A data row: its first line in the file (the header is line 1) and its cells by column."""

    line: int
    cells: dict[str, str]

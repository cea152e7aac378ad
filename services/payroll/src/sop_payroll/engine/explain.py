"""Explanations: the human-readable steps behind each figure, written out when first read."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

Step = tuple[str, tuple[Any, ...]]
StepBuilder = Callable[..., Sequence[Step]]
_new = object.__new__


class Explanation(Sequence[str]):
    """An immutable sequence of sentences such as "Free pay for code 1257L month 3: 3,144.78".

    Each step is a format template and its values, written out only when read: a pay run
    explains every line of every payslip, but most are stored, not displayed. A calculation
    may also hand over a builder and the figures it worked with, so even the steps are
    assembled on first reading. The figures are the calculation's own, already final, so
    the text is the same whenever it is read.
    """

    __slots__ = ("_source", "_steps", "_text")
    _source: tuple[StepBuilder, tuple[Any, ...]]  # until the steps are built, if deferred
    _steps: Sequence[Step]
    _text: tuple[str, ...]  # once written out

    def __init__(self, steps: Sequence[Step] = ()) -> None:
        self._steps = steps

    @classmethod
    def of(cls, *sentences: str) -> Explanation:
        return cls(tuple((sentence, ()) for sentence in sentences))

    @classmethod
    def deferred(cls, builder: StepBuilder, *args: Any) -> Explanation:
        """Steps that `builder(*args)` returns, built when the explanation is first read."""
        explanation = _new(cls)
        explanation._source = (builder, args)
        return explanation

    def steps(self) -> Sequence[Step]:
        try:
            return self._steps
        except AttributeError:  # deferred and not yet built
            builder, args = self._source
            steps = self._steps = builder(*args)
            del self._source
            return steps

    def sentences(self) -> tuple[str, ...]:
        try:
            return self._text
        except AttributeError:
            text = self._text = tuple(
                template.format(*values) if values else template
                for template, values in self.steps()
            )
            return text

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self.sentences()[index]

    def __len__(self) -> int:
        return len(self.steps())

    def __iter__(self) -> Iterator[str]:
        return iter(self.sentences())

    def __add__(self, other: Explanation) -> Explanation:
        return Explanation((*self.steps(), *other.steps()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Explanation):
            return self.sentences() == other.sentences()
        if isinstance(other, tuple | list):
            return list(self.sentences()) == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.sentences())

    def __str__(self) -> str:
        return "; ".join(self.sentences())

    def __repr__(self) -> str:
        return f"Explanation({self.sentences()!r})"

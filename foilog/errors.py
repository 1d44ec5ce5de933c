"""The one exception type meant for users, and the report that collects problems."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    WARNING = "warning"
    ERROR = "error"


class FoilogError(Exception):
    """A problem a user can fix: what went wrong, where, and what to do about it."""

    def __init__(self, message: str, *, file: Path | str | None = None, line: int | None = None,
                 hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        return format_problem(self.message, self.file, self.line, self.hint)

    def relocated(self, old: str, new: str) -> FoilogError:
        """The same error, naming files under `old` as if they were under `new`."""
        return FoilogError(self.message.replace(old, new), file=_moved(self.file, old, new), line=self.line,
                           hint=self.hint.replace(old, new))


def format_problem(message: str, file: str | None, line: int | None, hint: str) -> str:
    where = ""
    if file:
        where = f"{file}:{line}: " if line else f"{file}: "
    text = f"{where}{message}"
    return f"{text}\n  fix: {hint}" if hint else text


@dataclass(frozen=True)
class Problem:
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.severity.value}: " + format_problem(self.message, self.file, self.line, self.hint)

    def relocated(self, old: str, new: str) -> Problem:
        """The same problem, naming files under `old` as if they were under `new`."""
        return replace(self, message=self.message.replace(old, new), hint=self.hint.replace(old, new),
                       file=_moved(self.file, old, new))


@dataclass
class Report:
    """Every warning and error of one build, in the order they were found."""

    problems: list[Problem] = field(default_factory=list)

    def warn(self, message: str, *, file: Path | str | None = None, line: int | None = None,
             hint: str = "") -> None:
        self.problems.append(Problem(Severity.WARNING, message, _s(file), line, hint))

    def error(self, message: str, *, file: Path | str | None = None, line: int | None = None,
              hint: str = "") -> None:
        self.problems.append(Problem(Severity.ERROR, message, _s(file), line, hint))

    def add(self, exc: FoilogError) -> None:
        self.problems.append(Problem(Severity.ERROR, exc.message, exc.file, exc.line, exc.hint))

    def relocate(self, old: Path, new: Path) -> None:
        """Name files under `old` as if they were under `new` (a check works on a scratch copy of content/)."""
        self.problems = [p.relocated(str(old), str(new)) for p in self.problems]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


def _moved(file: str | None, old: str, new: str) -> str | None:
    if file is not None and (file == old or file.startswith(old + "/")):
        return new + file[len(old):]
    return file


def _s(file: Path | str | None) -> str | None:
    return None if file is None else str(file)

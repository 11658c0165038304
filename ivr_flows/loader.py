"""Load and validate flow files; every problem names the file, line and field.

PyYAML's composed node tree keeps a mark (line/column) for each key and value. We walk it once
to remember where every path (``("diversion", 0, "when", "ewt_over_s")``) is, then map each
pydantic error location (and each :func:`ivr_flows.flow.cross_check` issue) to the deepest
known path. Duplicate keys — which PyYAML would silently overwrite — are errors too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

import pydantic
import yaml

from core.errors import ValidationError
from ivr_flows.flow import Flow, Path, cross_check


@dataclass(frozen=True, slots=True)
class FlowProblem:
    file: str
    line: int  # 1-based
    column: int  # 1-based
    field: str  # dotted path, "" for the whole file
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.field or '<file>'}: {self.message}"


class FlowFileError(ValidationError):
    code = "ivr.flow_invalid"

    def __init__(self, problems: list[FlowProblem]) -> None:
        self.problems = problems
        super().__init__(
            "\n".join(str(problem) for problem in problems),
            details={"problems": [vars_of(problem) for problem in problems]},
        )


def vars_of(problem: FlowProblem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "field": problem.field,
        "message": problem.message,
    }


def _marks(node: yaml.Node, path: Path, out: dict[Path, tuple[int, int]], dups: list[Path]) -> None:
    out.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                dups.append(child)
            seen.add(key)
            # Point at the key: "line of the field" is what a person looks for.
            out[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _marks(value_node, child, out, dups)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _marks(item, (*path, index), out, dups)


def _locate(path: Path, marks: dict[Path, tuple[int, int]]) -> tuple[int, int]:
    probe = tuple(str(part) if isinstance(part, str) else part for part in path)
    while probe:
        if probe in marks:
            return marks[probe]
        # pydantic reports dict keys as strings and list indexes as ints, YAML the same.
        probe = probe[:-1]
    return marks.get((), (1, 1))


def _dotted(path: Path) -> str:
    return ".".join(str(part) for part in path)


def parse_flow(text: str, file: str = "<flow>") -> Flow:
    """Validate flow text; raise :class:`FlowFileError` listing every problem."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise FlowFileError([FlowProblem(file, line, col, "", f"YAML: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise FlowFileError([FlowProblem(file, 1, 1, "", f"YAML: {exc}")]) from exc
    if node is None or not isinstance(data, dict):
        raise FlowFileError([FlowProblem(file, 1, 1, "", "a flow file is a YAML mapping")])
    marks: dict[Path, tuple[int, int]] = {}
    dups: list[Path] = []
    _marks(node, (), marks, dups)
    problems = [FlowProblem(file, *marks[p], _dotted(p), "duplicate key") for p in dups]
    try:
        flow = Flow.model_validate(data)
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            loc: Path = tuple(part for part in error["loc"] if isinstance(part, str | int))
            message = error["msg"].removeprefix("Value error, ")
            problems.append(FlowProblem(file, *_locate(loc, marks), _dotted(loc), message))
        raise FlowFileError(problems) from exc
    for path, message in cross_check(flow):
        problems.append(FlowProblem(file, *_locate(path, marks), _dotted(path), message))
    if problems:
        raise FlowFileError(problems)
    return flow


def load_flow(path: FilePath | str) -> Flow:
    file = FilePath(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowFileError([FlowProblem(str(file), 1, 1, "", f"cannot read: {exc}")]) from exc
    return parse_flow(text, str(file))


def default_flow_path() -> FilePath:
    return FilePath(__file__).with_name("flows") / "default.yaml"

"""Read a workshop file safely: bytes → text → YAML nodes (with lines) → plain data.

Why not ``yaml.safe_load``: it gives no line numbers, silently keeps the last of two equal
keys, expands aliases (a "billion laughs" file of a few hundred bytes takes minutes and
gigabytes once validated) and recurses on deeply nested input. Here the parser's events are
composed into a small node tree by a loop that refuses aliases, caps depth and size, and
keeps every line, so each problem can be reported at its line.

Limits: files above :data:`MAX_FILE_BYTES` are refused before they are parsed; nesting deeper
than :data:`MAX_DEPTH` or more than :data:`MAX_VALUES` values are refused while parsing.

Encodings: UTF-8 (with or without BOM) and UTF-16 with BOM; a file that is not UTF-8 but
decodes as Shift_JIS (CP932, what many office PCs save) is read as CP932 without comment.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

from toolkit.workshop_file.problems import Problem, path_text, show_value

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_VALUES = 200_000

_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_RESERVED = re.compile(r"found character '(.)' that cannot start any token")

_resolver = Resolver()
_constructor = SafeConstructor()
_FastLoader: Any = getattr(yaml, "CSafeLoader", None)


# -- nodes ---------------------------------------------------------------------------


@dataclass(eq=False)
class ScalarNode:
    value: str
    tag: str
    line: int  # 0-based, as in yaml marks
    column: int
    plain: bool


@dataclass(eq=False)
class SequenceNode:
    line: int
    column: int
    items: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class MappingNode:
    line: int
    column: int
    pairs: list[tuple[Node, Node]] = field(default_factory=list)
    pending_key: Node | None = None
    # key text -> (key, value) of the last occurrence, which is the one the data keeps
    index: dict[str, tuple[ScalarNode, Node]] = field(default_factory=dict)


Node = ScalarNode | SequenceNode | MappingNode


@dataclass
class ReadResult:
    """What reading produced: the text, its encoding, the node tree and the plain data."""

    text: str | None = None
    encoding: str | None = None
    root: Node | None = None
    data: Any = None
    problems: list[Problem] = field(default_factory=list)


class Refused(Exception):
    """Something a workshop file may not contain (an alias, a tag …), found while parsing."""

    def __init__(self, line: int, key: str, **params: Any) -> None:
        super().__init__(key)
        self.line, self.key, self.params = line, key, params


# -- bytes to text -------------------------------------------------------------------


def read_bytes(path: Path, file: str) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, or the one problem that stops reading it."""
    try:
        if path.is_dir():
            return None, [Problem(file, 1, "", "wf_not_a_file", {})]
        with path.open("rb") as handle:
            # Read one byte more than allowed: enough to know, without reading 10 MB.
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, [Problem(file, 1, "", "wf_not_found", {})]
    except OSError as exc:
        return None, [Problem(file, 1, "", "wf_unreadable", {"reason": exc.strerror or exc})]
    if len(raw) > MAX_FILE_BYTES:
        try:
            size = path.stat().st_size
        except OSError:
            size = len(raw)
        return None, [
            Problem(
                file, 1, "", "wf_too_large", {"size": f"{size:,}", "limit": f"{MAX_FILE_BYTES:,}"}
            )
        ]
    return raw, []


def decode(raw: bytes, file: str) -> tuple[str | None, str | None, list[Problem]]:
    """Text and encoding name, or the problem that says the bytes are not text we read."""
    if raw.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8-sig", raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "utf-16", raw
    else:
        encoding, body = "utf-8", raw
    try:
        return body.decode("utf-16" if encoding == "utf-16" else "utf-8"), encoding, []
    except UnicodeDecodeError as utf8_error:
        failed_at = utf8_error.start
        if encoding == "utf-8":
            try:
                return raw.decode("cp932"), "cp932", []
            except UnicodeDecodeError as cp932_error:
                # Report where the reading that got further stopped.
                failed_at = max(failed_at, cp932_error.start)
        line = body[:failed_at].count(b"\n") + 1
        return None, None, [Problem(file, line, "", "wf_encoding", {})]


# -- text to nodes -------------------------------------------------------------------


def _events(text: str, loader: Any) -> Iterator[yaml.Event]:
    return yaml.parse(text, Loader=loader)


def compose(text: str) -> Node | None:
    """The node tree of ``text`` (None for an empty document).

    Raises :class:`yaml.YAMLError` for a syntax error and ``Refused`` for what workshop
    files may not contain. libyaml parses when it is installed (about 15× faster); when it
    finds an error, the pure-Python parser runs again so that the error is always PyYAML's.
    """
    if _FastLoader is None:
        return _compose_events(_events(text, yaml.SafeLoader))
    try:
        return _compose_events(_events(text, _FastLoader))
    except yaml.YAMLError:
        return _compose_events(_events(text, yaml.SafeLoader))


def _compose_events(events: Iterator[yaml.Event]) -> Node | None:
    root: Node | None = None
    stack: list[SequenceNode | MappingNode] = []
    documents = 0
    values = 0

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        if isinstance(parent, SequenceNode):
            parent.items.append(node)
        elif parent.pending_key is None:
            parent.pending_key = node
        else:
            key, parent.pending_key = parent.pending_key, None
            parent.pairs.append((key, node))
            if isinstance(key, ScalarNode):
                parent.index[key.value] = (key, node)

    for event in events:
        line = event.start_mark.line if event.start_mark is not None else 0
        if isinstance(event, yaml.AliasEvent):
            raise Refused(line, "wf_yaml_alias")
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise Refused(line, "wf_yaml_multiple_documents")
            continue
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            values += 1
            if values > MAX_VALUES:
                raise Refused(line, "wf_yaml_too_many_values", limit=f"{MAX_VALUES:,}")
            column = event.start_mark.column if event.start_mark is not None else 0
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = _resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
            attach(ScalarNode(event.value, tag, line, column, bool(event.implicit[0])))
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            kind = "seq" if isinstance(event, yaml.SequenceStartEvent) else "map"
            if event.tag not in (None, "!", _YAML + kind):
                raise Refused(line, "wf_yaml_tag", tag=_short_tag(event.tag))
            if len(stack) >= MAX_DEPTH:
                raise Refused(line, "wf_yaml_too_deep", limit=MAX_DEPTH)
            node: SequenceNode | MappingNode = (
                SequenceNode(line, column) if kind == "seq" else MappingNode(line, column)
            )
            attach(node)
            stack.append(node)
        elif isinstance(event, yaml.CollectionEndEvent):
            stack.pop()
    return root


def _short_tag(tag: str) -> str:
    """``tag:yaml.org,2002:binary`` → ``!!binary``, as the file wrote it."""
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


# -- nodes to data -------------------------------------------------------------------


def to_data(node: Node, file: str, problems: list[Problem]) -> Any:
    """Plain Python data for ``node``; problems found on the way are appended.

    Keys are kept as the text written in the file (``1:`` is ``"1"``, ``no:`` is ``"no"``),
    because every key in a workshop file is a name; values are resolved as YAML 1.1 does
    (``yes`` is true, ``2026-04-01`` a date) and pydantic says when that is not wanted.
    """
    return _to_data(node, (), file, problems)


def _to_data(node: Node, loc: tuple[str | int, ...], file: str, problems: list[Problem]) -> Any:
    if isinstance(node, ScalarNode):
        return _scalar(node, loc, file, problems)
    if isinstance(node, SequenceNode):
        return [_to_data(item, (*loc, i), file, problems) for i, item in enumerate(node.items)]
    result: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.pairs:
        if not isinstance(key_node, ScalarNode):
            problems.append(Problem(file, key_node.line + 1, path_text(loc), "wf_complex_key", {}))
            continue
        key = key_node.value
        if key in first_line:
            problems.append(
                Problem(
                    file,
                    key_node.line + 1,
                    path_text((*loc, key)),
                    "wf_duplicate_key",
                    {"key": show_value(key), "first_line": first_line[key]},
                )
            )
        else:
            first_line[key] = key_node.line + 1
        result[key] = _to_data(value_node, (*loc, key), file, problems)
    return result


def _scalar(
    node: ScalarNode, loc: tuple[str | int, ...], file: str, problems: list[Problem]
) -> Any:
    if node.tag not in _SCALAR_TAGS:
        problems.append(
            Problem(
                file, node.line + 1, path_text(loc), "wf_yaml_tag", {"tag": _short_tag(node.tag)}
            )
        )
        return node.value
    try:
        constructor = _constructor.yaml_constructors[node.tag]
        return constructor(_constructor, yaml.ScalarNode(node.tag, node.value))
    except (ConstructorError, ValueError, TypeError, OverflowError):
        problems.append(
            Problem(
                file,
                node.line + 1,
                path_text(loc),
                "wf_yaml_bad_value",
                {"value": node.value, "tag": _short_tag(node.tag)},
            )
        )
        return node.value


# -- where a field is -----------------------------------------------------------------


def node_at(root: Node | None, loc: Sequence[str | int]) -> Node | None:
    """The node at ``loc``, or None if the path does not exist in the file."""
    node = root
    for step in loc:
        if step == "[key]":
            continue
        if isinstance(node, MappingNode) and str(step) in node.index:
            node = node.index[str(step)][1]
        elif (
            isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.items)
        ):
            node = node.items[step]
        else:
            return None
    return node


def line_of(root: Node | None, loc: Sequence[str | int]) -> int:
    """The 1-based line of ``loc``: the key's line for a mapping entry, the item's line for
    a list item, else the line of the nearest parent that exists (a missing key is reported
    at the first line of the mapping that should hold it)."""
    if root is None:
        return 1
    node: Node = root
    line = root.line
    for step in loc:
        if step == "[key]":
            continue
        if isinstance(node, MappingNode) and str(step) in node.index:
            key_node, node = node.index[str(step)]
            line = key_node.line
        elif (
            isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.items)
        ):
            node = node.items[step]
            line = node.line
        else:
            break
    return line + 1


# -- syntax errors -------------------------------------------------------------------


def syntax_problems(error: yaml.YAMLError, text: str, file: str) -> list[Problem]:
    """A YAML syntax error as problems a person can act on, in their language."""
    lines = _LINE_BREAKS.split(text)
    if isinstance(error, yaml.reader.ReaderError):
        line = len(_LINE_BREAKS.split(text[: error.position]))
        char = error.character
        code = ord(char) if isinstance(char, str) else char
        shown = f"U+{code:04X}" if isinstance(code, int) else repr(char)
        return [Problem(file, line, "", "wf_control_char", {"char": shown})]
    if not isinstance(error, yaml.MarkedYAMLError) or error.problem_mark is None:
        return [Problem(file, 1, "", "wf_yaml_syntax", {"column": 1, "detail": str(error)})]
    mark = error.problem_mark
    context = error.context_mark
    problem = error.problem or ""
    line, column = mark.line + 1, mark.column + 1
    tab_lines = [i + 1 for i, text_line in enumerate(lines) if "\t" in _indent(text_line)]
    if "'\\t'" in problem or line in tab_lines:
        return [Problem(file, n, "", "wf_tab_indent", {}) for n in tab_lines or [line]]
    if "mapping values are not allowed" in problem:
        return [Problem(file, line, "", "wf_yaml_colon", {"column": column})]
    if "could not find expected ':'" in problem and context is not None:
        return [Problem(file, context.line + 1, "", "wf_yaml_missing_colon", {})]
    if "end of stream" in problem and "quoted scalar" in (error.context or "") and context:
        return [Problem(file, context.line + 1, "", "wf_yaml_unclosed_quote", {})]
    if "flow" in (error.context or "") and context is not None:
        return [Problem(file, line, "", "wf_yaml_flow", {"start_line": context.line + 1})]
    if "expected <block end>" in problem or "expected '-' indicator" in problem:
        return [Problem(file, line, "", "wf_yaml_indent", {"column": column})]
    reserved = _RESERVED.search(problem)
    if reserved:
        return [
            Problem(
                file,
                line,
                "",
                "wf_yaml_reserved_char",
                {"column": column, "char": reserved.group(1)},
            )
        ]
    detail = problem if not error.context else f"{error.context}: {problem}"
    return [Problem(file, line, "", "wf_yaml_syntax", {"column": column, "detail": detail})]


def _indent(text_line: str) -> str:
    return text_line[: len(text_line) - len(text_line.lstrip(" \t"))]


def refused_problem(refused: Refused, file: str) -> Problem:
    """A refusal from :func:`compose` as a problem."""
    return Problem(file, refused.line + 1, "", refused.key, dict(refused.params))


# -- all together --------------------------------------------------------------------


def read_workshop_yaml(path: Path, file: str) -> ReadResult:
    """Read ``path``; ``file`` is the name shown in problems (the path as the user gave it)."""
    result = ReadResult()
    raw, result.problems = read_bytes(path, file)
    if raw is None:
        return result
    result.text, result.encoding, result.problems = decode(raw, file)
    if result.text is None:
        return result
    if not result.text.strip():
        result.problems = [Problem(file, 1, "", "wf_empty", {})]
        return result
    try:
        result.root = compose(result.text)
    except Refused as refused:
        result.problems = [refused_problem(refused, file)]
        return result
    except yaml.YAMLError as error:
        result.problems = syntax_problems(error, result.text, file)
        return result
    if result.root is None or (
        isinstance(result.root, ScalarNode) and result.root.tag == _YAML + "null"
    ):
        result.root, result.problems = None, [Problem(file, 1, "", "wf_empty", {})]
        return result
    result.data = to_data(result.root, file, result.problems)
    return result

"""YAML front matter read as `yaml.safe_load` reads it, with LibYAML, and built into Python values quickly.

PyYAML's constructor builds each value through a general machine (generators for nested values, a record of
every node built, for anchors and cycles). Front matter is plain mappings, lists and scalars: for that, values are
built here directly, each scalar by the same constructor function PyYAML would call. Anything else (an alias
used twice, a merge key `<<`, a key that is not a scalar, a tag such as `!!set` or `!!omap`) is built by PyYAML
itself, from the same nodes, so the result (or the error) is always PyYAML's.

Front matter that no stage could walk is refused with the line it starts on: a value that holds itself (an anchor
used inside its own value), values nested deeper than MAX_DEPTH, or aliases that expand it past MAX_VALUES values
(a "billion laughs" document).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# LibYAML reads ten times faster where PyYAML was built with it (PyYAML's wheels are).
_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
STR, MAP, SEQ, MERGE = (_TAG + name for name in ("str", "map", "seq", "merge"))
MAX_DEPTH = 64  # a page's front matter nests three or four deep
MAX_VALUES = 100_000  # a page's front matter holds about a hundred


class _NotPlain(Exception):
    """The document holds something only PyYAML's own constructor builds."""


class QuickLoader(_BASE):  # type: ignore[valid-type,misc]
    """`yaml.load(text, Loader=QuickLoader)` gives what `yaml.safe_load(text)` gives, or refuses front matter no
    stage could walk (a ConstructorError, with the line)."""

    def construct_document(self, node: Node) -> Any:
        try:
            return self._plain(node, set(), 0)
        except _NotPlain:
            _check_shape(node)
            return super().construct_document(node)

    def _plain(self, node: Node, seen: set[int], depth: int) -> Any:
        if id(node) in seen:  # an alias: PyYAML gives the same object each time it is used
            raise _NotPlain
        seen.add(id(node))
        if depth >= MAX_DEPTH:
            raise _unwalkable(node, f"values are nested more than {MAX_DEPTH} deep")
        depth += 1
        kind = type(node)
        if kind is ScalarNode:
            if node.tag == STR:
                return node.value
            construct = self.yaml_constructors.get(node.tag)
            if construct is None:
                raise _NotPlain
            try:
                return construct(self, node)
            except (ValueError, OverflowError, yaml.YAMLError):
                raise _NotPlain from None  # PyYAML builds in another order: its error may be found first
        if kind is MappingNode and node.tag == MAP:
            mapping = {}
            for key_node, value_node in node.value:
                if type(key_node) is not ScalarNode or key_node.tag == MERGE:
                    raise _NotPlain
                mapping[self._plain(key_node, seen, depth)] = self._plain(value_node, seen, depth)
            return mapping
        if kind is SequenceNode and node.tag == SEQ:
            return [self._plain(child, seen, depth) for child in node.value]
        raise _NotPlain


def unreadable_value(text: str) -> tuple[int, str] | None:
    """The first value (its line, counted from 0, and its text) that YAML takes for a date or number but that is
    not one, such as 2024-13-45: what made loading `text` raise ValueError."""
    loader = QuickLoader(text)
    try:
        root = loader.get_single_node()
        for node in _in_order(root) if root is not None else ():
            construct = loader.yaml_constructors.get(node.tag) if type(node) is ScalarNode else None
            if construct is not None:
                try:
                    construct(loader, node)
                except (ValueError, OverflowError):
                    return node.start_mark.line, node.value
    finally:
        loader.dispose()
    return None


def _check_shape(root: Node) -> None:
    """Raise ConstructorError where a value holds itself, values nest more than MAX_DEPTH deep, or the aliases
    expand the document past MAX_VALUES values. Each node is visited once, without recursion."""
    done: dict[int, tuple[int, int]] = {}  # node -> (values with its aliases expanded, depth)
    open_: set[int] = set()  # the nodes being visited: the path to the current one
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children_done:
            open_.discard(id(node))
            values = 1 + sum(done[id(child)][0] for child in children)
            depth = 1 + max((done[id(child)][1] for child in children), default=0)
            if depth > MAX_DEPTH:
                raise _unwalkable(node, f"values are nested more than {MAX_DEPTH} deep")
            if values > MAX_VALUES:
                raise _unwalkable(node, f"with its aliases (*name) expanded, it holds more than {MAX_VALUES:,} values")
            done[id(node)] = (values, depth)
        elif id(node) in open_:
            raise _unwalkable(node, "a value holds itself (an anchor, &name, is used inside its own value)")
        elif id(node) not in done:
            open_.add(id(node))
            stack.append((node, True))
            stack += [(child, False) for child in reversed(children)]


def _children(node: Node) -> list[Node]:
    if type(node) is MappingNode:
        return [n for pair in node.value for n in pair]
    return list(node.value) if type(node) is SequenceNode else []


def _unwalkable(node: Node, problem: str) -> ConstructorError:
    return ConstructorError(None, None, problem, node.start_mark)


def _in_order(node: Node) -> list[Node]:
    """A document's nodes in the order they are written."""
    found = [node]
    for child in _children(node):
        found += _in_order(child)
    return found

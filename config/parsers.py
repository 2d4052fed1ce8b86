"""The API's JSON parser: malformed or absurdly nested bodies are a 400, never a 500.

Python's JSON decoder recurses once per nesting level, so ``[`` × 50,000 raised
RecursionError (a 500) on any endpoint, before authentication. No Setdesk body nests
deeper than a few levels; MAX_DEPTH leaves ample room.
"""

from __future__ import annotations

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def nesting_depth(data) -> int:
    """How deep lists and objects nest in parsed JSON (iterative: it must not recurse either)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def loads_bounded(text: str | bytes, max_depth: int = MAX_DEPTH):
    """``json.loads`` for text from outside (a form, an AI reply): nesting past ``max_depth``
    raises ValueError like any other bad JSON, instead of RecursionError (a 500)."""
    try:
        data = json.loads(text)
    except RecursionError as exc:
        raise ValueError(f"nested deeper than {max_depth} levels") from exc
    if nesting_depth(data) > max_depth:
        raise ValueError(f"nested deeper than {max_depth} levels")
    return data


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from exc
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.")
        return data

"""Babel extractors for the messages that are not in Python calls: YAML text and the pages' ``# nav:`` lines.

Both follow Babel's extractor protocol, ``(fileobj, keywords, comment_tags, options)`` yielding
``(lineno, funcname, message, comments)``, and are named in ``babel.cfg``::

    [workbench.i18n.extract:extract_yaml: sample_data/scenarios/**.yaml]
    keys = title, brief, question, hint, explanation

    [workbench.i18n.extract:extract_yaml: workbench/format/exchange_format.yaml]
    codes = /enums/*

    [workbench.i18n.extract:extract_nav: pages/*.py]

- ``extract_yaml`` option ``keys``: the YAML keys whose string values are messages, at any depth (a list
  of strings under such a key: each string). Option ``codes``: ``/``-separated paths (``*`` for any key,
  ``/`` alone for the top) whose mapping keys or list items are *codes* shown through
  :func:`workbench.i18n.code_label`: the message is the code with spaces (``air_passenger`` ->
  ``air passenger``).
- ``extract_nav``: the ``title`` and ``section`` of a page's ``# nav:`` line, then everything Babel's
  Python extractor finds in the file (a file goes to one extractor only).

Examples
--------
>>> import io
>>> text = b"enums:\\n  mode: [air_passenger, road]\\n  colour: {red: {hex: 1}}\\nhelp:\\n  title: Hello\\n"
>>> [m for _, _, m, _ in extract_yaml(io.BytesIO(text), [], [], {"keys": "title", "codes": "/enums/*"})]
['air passenger', 'road', 'red', 'Hello']
>>> page = b"import x\\n# nav: section=Analysis; title=Routes; order=2\\nst.title(_('Hi'))\\n"
>>> [m for _, _, m, _ in extract_nav(io.BytesIO(page), ["_"], [], {})]
['Routes', 'Analysis', 'Hi']
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

__all__ = ["extract_yaml", "extract_nav", "Extracted"]

#: What an extractor yields: line number, function name (None: a plain message), message, comments.
Extracted = tuple[int, str | None, str | tuple[str | None, ...], list[str]]


def _split(option: object) -> list[str]:
    return [p.strip() for p in str(option or "").replace("\n", ",").split(",") if p.strip()]


def _path_matches(path: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    return len(path) == len(pattern) and all(p == "*" or p == k for k, p in zip(path, pattern, strict=True))


def extract_yaml(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[Extracted]:
    """Messages of a YAML file (see the module's docstring for the options ``keys`` and ``codes``)."""
    import yaml

    keys = set(_split(options.get("keys")))
    codes = [tuple(p for p in pattern.split("/") if p) for pattern in _split(options.get("codes"))]
    root = yaml.compose(fileobj.read().decode(options.get("encoding") or "utf-8"))
    if root is None:
        return

    def label(node: yaml.Node) -> Extracted | None:
        if isinstance(node, yaml.ScalarNode) and str(node.value).strip():
            return (node.start_mark.line + 1, None, str(node.value).replace("_", " "), [])
        return None

    def text(node: yaml.Node) -> Iterator[Extracted]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str") and str(node.value).strip():
            yield (node.start_mark.line + 1, None, str(node.value), [])
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                yield from text(item)

    def walk(node: yaml.Node, path: tuple[str, ...]) -> Iterator[Extracted]:
        is_code_holder = any(_path_matches(path, pattern) for pattern in codes)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = str(key.value)
                if is_code_holder and (found := label(key)):
                    yield found
                if name in keys:
                    yield from text(value)
                walk_value = walk(value, (*path, name))
                yield from walk_value
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                if is_code_holder and (found := label(item)):
                    yield found
                elif isinstance(item, yaml.MappingNode | yaml.SequenceNode):
                    yield from walk(item, path)

    yield from walk(root, ())


def extract_nav(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[Extracted]:
    """The page's title and section from its ``# nav:`` line, then its Python messages."""
    from babel.messages.extract import extract_python

    for number, raw in enumerate(fileobj.read().decode(options.get("encoding") or "utf-8").splitlines(), 1):
        body = raw.strip().removeprefix("#").strip()
        if not raw.lstrip().startswith("#") or not body.startswith("nav:"):
            continue
        fields = dict(
            part.split("=", 1) for part in body.removeprefix("nav:").split(";") if "=" in part.strip()
        )
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        for key in ("title", "section"):
            if fields.get(key):
                yield (number, None, fields[key], ["page " + key])
        break
    fileobj.seek(0)
    python: Any = extract_python  # Babel's stubs type its results loosely
    yield from python(fileobj, keywords, comment_tags, options)

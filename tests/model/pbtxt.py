"""A small reader for protobuf text format, enough for Triton's config.pbtxt (no schema needed).

Messages become dicts; a field that appears more than once, or is written as a [list], becomes a list.
"""
import re

_TOKEN = re.compile(r'\s*(?:#[^\n]*\n?\s*)*("(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"#]+)')


def _tokens(text):
    pos, out = 0, []
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read config.pbtxt at offset {pos}: {text[pos:pos + 20]!r}")
        out.append(m.group(1))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith("#", pos):
            nl = text.find("\n", pos)
            pos = len(text) if nl < 0 else nl + 1
    return [t for t in out if t is not None]


def _scalar(tok):
    if tok.startswith('"'):
        return bytes(tok[1:-1], "utf-8").decode("unicode_escape")
    if re.fullmatch(r"-?\d+", tok):
        return int(tok)
    if re.fullmatch(r"-?\d+\.\d*(e-?\d+)?", tok):
        return float(tok)
    if tok in ("true", "false"):
        return tok == "true"
    return tok  # enum value, e.g. TYPE_UINT8


def parse(text):
    toks = _tokens(text)
    i = 0

    def value():
        nonlocal i
        tok = toks[i]
        if tok == "{":
            i += 1
            return message("}")
        if tok == "[":
            i += 1
            items = []
            while toks[i] != "]":
                items.append(value())
                if toks[i] == ",":
                    i += 1
            i += 1
            return items
        i += 1
        return _scalar(tok)

    def message(end):
        nonlocal i
        fields = {}
        while i < len(toks) and toks[i] != end:
            name = toks[i]
            i += 1
            if toks[i] == ":":
                i += 1
            v = value()
            if toks[i:i + 1] == [","]:
                i += 1
            if name in fields:
                prev = fields[name]
                fields[name] = (prev if isinstance(prev, list) else [prev]) + (v if isinstance(v, list) else [v])
            else:
                fields[name] = v
        i += 1
        return fields

    return message(None)

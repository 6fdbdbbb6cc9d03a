"""A minimal writer of MS Access (Jet 4 / ACE) database files, for making test files on Linux.

No tool here writes Access files (mdbtools and access-parser only read them; Jackcess/UCanAccess are
not reachable), so the tests build their Access files with this writer from the published file
format (mdbtools' HACKING.md): a database definition page (its header RC4-masked as Jet does), the
MSysObjects catalog, and one table definition plus data pages per table, with page usage maps.
Columns are Text (UCS-2), Long Integer, Double or Date/Time; no indexes, no memo fields, no
relationships. Both independent readers (mdbtools and access-parser) read the files back, and the
tests check that they do, so a file that is not valid Access is caught.

``version="jet4"`` writes an Access 2000-2003 ``.mdb``; ``version="ace12"`` an Access 2007 ``.accdb``.
"""

from __future__ import annotations

import datetime as dt
import math
import struct
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

PAGE = 4096
TEXT, LONG, DOUBLE, DATETIME, INT, OLE = 0x0A, 0x04, 0x07, 0x08, 0x03, 0x0B
_FIXED_SIZE = {LONG: 4, DOUBLE: 8, DATETIME: 8, INT: 2}
_EPOCH = dt.datetime(1899, 12, 30)


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for b in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _header_page(version: str) -> bytes:
    page = bytearray(PAGE)
    magic = b"Standard ACE DB\x00" if version == "ace12" else b"Standard Jet DB\x00"
    page[0:4] = b"\x00\x01\x00\x00"
    page[4:20] = magic
    struct.pack_into("<I", page, 0x14, 2 if version == "ace12" else 1)
    plain = bytearray(128)
    struct.pack_into("<H", plain, 0x3C - 0x18, 1252)  # code page
    struct.pack_into("<I", plain, 0x3E - 0x18, 0)  # database key 0: pages are not encrypted
    struct.pack_into("<I", plain, 0x6E - 0x18, 0x0409)  # sort order: General
    struct.pack_into("<d", plain, 0x72 - 0x18, 45000.0)  # creation date
    page[0x18 : 0x18 + 128] = _rc4(struct.pack("<I", 0x6B39DAC7), bytes(plain))
    return bytes(page)


class _Column:
    def __init__(self, name: str, kind: int, num: int) -> None:
        self.name, self.kind, self.num = name, kind, num
        self.fixed = kind in _FIXED_SIZE
        self.size = _FIXED_SIZE.get(kind, 0 if kind == OLE else 510)
        self.var_index = -1
        self.fixed_offset = 0


def _columns(types: Mapping[str, int]) -> list[_Column]:
    cols = [_Column(n, k, i) for i, (n, k) in enumerate(types.items())]
    off = 0
    var = 0
    for c in cols:
        if c.fixed:
            c.fixed_offset = off
            off += c.size
        else:
            c.var_index = var
            var += 1
    return cols


def _value(c: _Column, v: Any) -> bytes | None:
    if (
        c.kind == OLE
        or v is None
        or (isinstance(v, float) and math.isnan(v))
        or (isinstance(v, str) and v == "")
    ):
        return None
    if c.kind == TEXT:
        return str(v).encode("utf-16-le")
    if c.kind == LONG:
        return struct.pack("<i", int(v))
    if c.kind == INT:
        return struct.pack("<h", int(v))
    if c.kind == DOUBLE:
        return struct.pack("<d", float(v))
    if c.kind == DATETIME:
        d = v if isinstance(v, dt.datetime) else dt.datetime.combine(v, dt.time())
        return struct.pack("<d", (d - _EPOCH).total_seconds() / 86400)
    raise ValueError(c.kind)


def _row(cols: list[_Column], values: Sequence[Any]) -> bytes:
    n = len(cols)
    fixed_len = sum(c.size for c in cols if c.fixed)
    fixed = bytearray(fixed_len)
    null_mask = bytearray((n + 7) // 8)
    var_parts: list[bytes] = []
    for c, v in zip(cols, values, strict=True):
        b = _value(c, v)
        if b is not None:
            null_mask[c.num // 8] |= 1 << (c.num % 8)
        if c.fixed:
            if b is not None:
                fixed[c.fixed_offset : c.fixed_offset + c.size] = b
        else:
            var_parts.append(b or b"")
    body = bytearray(struct.pack("<H", n)) + fixed
    offsets = []
    for part in var_parts:
        offsets.append(len(body))
        body += part
    eod = len(body)
    tail = bytearray(struct.pack("<H", eod))
    for off in reversed(offsets):
        tail += struct.pack("<H", off)
    if var_parts:
        tail += struct.pack("<H", len(var_parts))
    else:
        tail = bytearray()
    return bytes(body + tail + null_mask)


def _data_pages(tdef_page: int, rows: list[bytes], first_page: int) -> list[bytes]:
    pages: list[bytes] = []
    current: list[bytes] = []

    def flush() -> None:
        page = bytearray(PAGE)
        page[0], page[1] = 0x01, 0x01
        struct.pack_into("<I", page, 4, tdef_page)
        struct.pack_into("<H", page, 12, len(current))
        end = PAGE
        for i, r in enumerate(current):
            start = end - len(r)
            page[start:end] = r
            struct.pack_into("<H", page, 14 + 2 * i, start)
            end = start
        struct.pack_into("<H", page, 2, end - (14 + 2 * len(current)))
        pages.append(bytes(page))

    used = 14
    for r in rows:
        if current and used + 2 + len(r) > PAGE:
            flush()
            current, used = [], 14
        current.append(r)
        used += 2 + len(r)
    if current or not pages:
        flush()
    return pages


def _usage_map(pages: list[int]) -> bytes:
    bitmap = bytearray(64)
    for p in pages:
        bitmap[p // 8] |= 1 << (p % 8)
    return b"\x00" + struct.pack("<I", 0) + bytes(bitmap)


def _tdef(cols: list[_Column], n_rows: int, used_ptr: int, free_ptr: int, system: bool) -> bytes:
    page = bytearray(PAGE)
    page[0], page[1] = 0x02, 0x01
    struct.pack_into("<I", page, 16, n_rows)
    page[40] = 0x53 if system else 0x4E
    n_var = sum(1 for c in cols if not c.fixed)
    struct.pack_into("<HHH", page, 41, len(cols), n_var, len(cols))
    struct.pack_into("<II", page, 47, 0, 0)  # no indexes
    struct.pack_into("<I", page, 55, used_ptr)
    struct.pack_into("<I", page, 59, free_ptr)
    pos = 63
    for c in cols:
        e = bytearray(25)
        e[0] = c.kind
        struct.pack_into("<H", e, 5, c.num)
        struct.pack_into("<H", e, 7, max(c.var_index, 0))
        struct.pack_into("<H", e, 9, c.num)
        if c.kind == TEXT:
            struct.pack_into("<H", e, 11, 0x0409)
        e[15] = (0x01 if c.fixed else 0) | 0x02
        struct.pack_into("<H", e, 21, c.fixed_offset)
        struct.pack_into("<H", e, 23, c.size)
        page[pos : pos + 25] = e
        pos += 25
    for c in cols:
        name = c.name.encode("utf-16-le")
        struct.pack_into("<H", page, pos, len(name))
        page[pos + 2 : pos + 2 + len(name)] = name
        pos += 2 + len(name)
    struct.pack_into("<I", page, 8, pos - 8)
    struct.pack_into("<H", page, 2, PAGE - pos - 8)
    return bytes(page)


def write_access(
    path: str | Path,
    tables: Mapping[str, tuple[Mapping[str, int], Sequence[Sequence[Any]]]],
    *,
    version: str = "jet4",
) -> Path:
    """Write ``tables`` (name -> (column types, rows)) as an Access database at ``path``."""
    # page 0 header, 1 global usage bitmap, 2 MSysObjects definition, 3 usage maps, then data
    # LvProp (object properties, long binary) is left empty: readers look for the column
    sys_cols = _columns(
        {"Id": LONG, "ParentId": LONG, "Name": TEXT, "Type": INT, "Flags": LONG, "LvProp": OLE}
    )
    names = list(tables)
    # lay out the user tables' pages first, to know their definition pages
    next_page = 5  # 4: the catalog's data page
    layout: dict[str, tuple[int, list[_Column], list[bytes]]] = {}
    for name in names:
        types, rows = tables[name]
        cols = _columns(types)
        data = _data_pages(next_page, [_row(cols, r) for r in rows], next_page + 1)
        layout[name] = (next_page, cols, data)
        next_page += 1 + len(data)
    catalog_rows = [[2, 0x0F000000, "MSysObjects", 1, 0x80000002 - (1 << 32), None]]
    catalog_rows += [[layout[n][0], 0x0F000000, n, 1, 0, None] for n in names]
    sys_data = _data_pages(2, [_row(sys_cols, r) for r in catalog_rows], 4)
    assert len(sys_data) == 1, "the catalog fits one page in these small files"

    # usage maps live as rows of page 3: two per table (used pages, pages with free space)
    map_rows: list[bytes] = []
    pointers: dict[str, tuple[int, int]] = {}
    for key, pages in [("MSysObjects", [4])] + [
        (n, list(range(layout[n][0] + 1, layout[n][0] + 1 + len(layout[n][2])))) for n in names
    ]:
        used_row = len(map_rows)
        map_rows.append(_usage_map(pages))
        map_rows.append(_usage_map(pages))
        pointers[key] = ((3 << 8) | used_row, (3 << 8) | (used_row + 1))
    map_page = _data_pages(0, map_rows, 3)
    assert len(map_page) == 1

    out = [_header_page(version), bytes([0x05, 0x01]) + bytes(PAGE - 2)]
    out.append(_tdef(sys_cols, len(catalog_rows), *pointers["MSysObjects"], system=True))
    out.append(map_page[0])
    out.append(sys_data[0])
    for n in names:
        tdef_page, cols, data = layout[n]
        assert len(out) == tdef_page
        out.append(_tdef(cols, len(tables[n][1]), *pointers[n], system=False))
        out.extend(data)
    p = Path(path)
    p.write_bytes(b"".join(out))
    return p

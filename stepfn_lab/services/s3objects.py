"""Objects in the local folder standing in for Amazon S3: keys resolved inside the root, files written
and appended without following links, CSV objects read one row at a time.

Spec: AWS docs "ItemReader (Map)" and "ResultWriter (Map)" (the objects they read and write).
Taught in: notebooks/12-map.ipynb.

The bottom of the S3 stand-in: ``s3files`` (the Map's reader and writer), ``item_reader``,
``result_writer`` and ``s3`` build on it, and it imports none of them.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from typing import Any

from ..errors import RESULT_WRITER_FAILED, RUNTIME, StatesError


def resolve(root: str | None, bucket: str, key: str = "") -> str:
    """The local file for ``s3://bucket/key``, refusing anything outside the root."""
    if not root:
        raise StatesError(RUNTIME, "This Map reads from S3: run it with s3_root=<folder>, where each bucket is a "
                                   "sub-folder of that folder.")
    base = os.path.realpath(root)
    path = os.path.realpath(os.path.join(base, str(bucket), str(key)))
    if path != base and not path.startswith(base + os.sep):
        raise StatesError(RUNTIME, f"The S3 location s3://{bucket}/{key} leaves the s3_root folder.")
    return path


def _inside(base: str, path: str) -> bool:
    return path == base or path.startswith(base + os.sep)


def write_text(path: str, text: str, root: str | None = None) -> int:
    """Write ``text`` to ``path`` (from ``resolve``) without ever following a symlink out of the root.

    Result paths are predictable (``<Prefix>/<MapRun id>/SUCCEEDED_0.json``), so a link planted
    there must not redirect the write: the text goes to a new private temporary file in the folder
    (checked to be inside ``root`` when given), which then *replaces* the name: ``os.replace`` swaps
    a symlink itself, never its target. Returns the number of bytes written.
    """
    folder = os.path.realpath(os.path.dirname(path))
    if root is not None and not _inside(os.path.realpath(root), folder):
        raise StatesError(RESULT_WRITER_FAILED, f"The result folder {os.path.dirname(path)} leaves the s3_root folder.")
    data = text.encode("utf-8", "replace")  # a lone surrogate becomes '?', as Java writes it
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".stepfn-lab-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
        os.replace(temporary, os.path.join(folder, os.path.basename(path)))
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return len(data)


def append_text(path: str, text: str) -> None:
    """Append to a file ``write_text`` created, refusing to follow a symlink put there meanwhile
    (``O_NOFOLLOW`` where the system has it)."""
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except OSError as exc:
        raise StatesError(RESULT_WRITER_FAILED, f"Cannot append to the result file {path}: {exc.strerror}") from None
    with os.fdopen(handle, "wb") as fh:
        fh.write(text.encode("utf-8", "replace"))


class CsvRows(Sequence):
    """The items of a CSV object, made one at a time as iterations start.

    A 1,000,000-row file is kept as its text and the offset of each row (about 8 bytes a row),
    not as a million dictionaries: a Distributed Map reads it in bounded memory. Each item
    is the dictionary of header to value, made when the Map asks for it; in a file without
    quotes or carriage returns the rows are split ``CHUNK`` at a time (the latest chunk is kept).
    """

    CHUNK = 1000

    def __init__(self, body: str, delimiter: str, headers: list | None, starts: Any = None,
                 span: range | None = None):
        self._body = body
        self._delimiter = delimiter
        if starts is None:
            headers, starts = self._index(body, delimiter, headers)
        self.headers = headers
        self._starts = starts  # offsets of the rows, then the end of the text
        self._span = span if span is not None else range(len(starts) - 1)
        # no quote and no carriage return anywhere: each line is a row that splits on the delimiter
        self._plain = '"' not in body and "\r" not in body
        self._chunk: list = []  # the rows from _chunk_first on, made together
        self._chunk_first = 0

    @staticmethod
    def _index(body: str, delimiter: str, headers: list | None) -> tuple:
        from array import array
        position = [0]

        def lines():
            start, end = 0, len(body)
            while start < end:
                stop = body.find("\n", start)
                stop = end if stop < 0 else stop + 1
                position[0] = stop
                yield body[start:stop]
                start = stop

        reader = csv.reader(lines(), delimiter=delimiter)
        starts = array("q")
        begin = 0
        for row in reader:
            if headers is None:
                headers = row
            elif row:  # a blank line is not an item
                starts.append(begin)
            begin = position[0]
        starts.append(len(body))
        return headers or [], starts

    def __len__(self) -> int:
        return len(self._span)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return CsvRows(self._body, self._delimiter, self.headers, self._starts, self._span[index])
        i = self._span[index]
        k = i - self._chunk_first
        if 0 <= k < len(self._chunk):
            return self._chunk[k]
        if self._plain:
            first = i - i % self.CHUNK
            self._chunk, self._chunk_first = self._rows(first, min(first + self.CHUNK, len(self._starts) - 1)), first
            return self._chunk[i - first]
        text = self._body[self._starts[i]:self._starts[i + 1]]
        if '"' in text or "\r" in text.rstrip("\r\n"):
            row = next(csv.reader(io.StringIO(text), delimiter=self._delimiter), [])
        else:  # no quoting: the csv module would split it the same way, only slower
            row = text.rstrip("\r\n").split(self._delimiter)
        headers = self.headers
        if len(row) == len(headers):
            return dict(zip(headers, row))
        return {h: (row[k] if k < len(row) else "") for k, h in enumerate(headers)}

    def _rows(self, first: int, end: int) -> list:
        """Rows ``first`` to ``end - 1`` of a plain file (see ``_plain``): its non-blank lines, split."""
        headers, delimiter, width = self.headers, self._delimiter, len(self.headers)
        lines = self._body[self._starts[first]:self._starts[end]].split("\n")
        rows = []
        for line in lines:
            if line:  # a blank line is not an item
                row = line.split(delimiter)
                rows.append(dict(zip(headers, row)) if len(row) == width else
                            {h: (row[k] if k < len(row) else "") for k, h in enumerate(headers)})
        return rows

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, (list, CsvRows)) and len(self) == len(other) and all(
            a == b for a, b in zip(self, other))

    def __repr__(self) -> str:
        return f"<{len(self)} CSV rows>"

    def __deepcopy__(self, memo: dict) -> CsvRows:
        return self  # never changed: snapshots share it

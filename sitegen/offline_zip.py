"""The offline copy's zip, made while the build goes on (SiteWriter.start_archive and
finish_archive): the files staged so far are compressed in a thread (zlib works outside
Python's lock), those staged later added at the end."""

from __future__ import annotations

import io
import threading
import zipfile
from pathlib import Path

from .problems import os_problem

GZIP_MAGIC = b"\x1f\x8b"


class Archive:
    """A zip being made for SiteWriter (start_archive, finish_archive)."""

    def __init__(self, path: str, top: str, replace: dict[str, bytes], staging: Path) -> None:
        self.path, self.top, self.replace, self.staging = path, top, replace, staging
        self.beside = path.rsplit("/", 1)[0] + "/"
        self.first: list[str] = []
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        self._failure: Exception | None = None  # the thread's, raised by finish()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._add_first, name="offline-copy", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _add_first(self) -> None:
        try:
            for name in self.first:
                if self._stop.is_set():
                    return
                self._add(name)
        except Exception as exc:  # never a zip with files missing: finish() raises it
            self._failure = exc

    def _add(self, name: str) -> None:
        data = self.replace[name] if name in self.replace else (self.staging / name).read_bytes()
        # Compressed already (the search index's files are gzip): stored, not compressed again.
        method = zipfile.ZIP_STORED if data.startswith(GZIP_MAGIC) else zipfile.ZIP_DEFLATED
        info = zipfile.ZipInfo(f"{self.top}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
        info.create_system, info.external_attr, info.compress_type = 3, 0o644 << 16, method
        self._zip.writestr(info, data, compress_type=method, compresslevel=6)

    def finish(self, later: list[str]) -> bytes:
        self._thread.join()
        try:
            if self._failure is not None:
                raise self._failure
            for name in later:
                self._add(name)
            self._zip.close()
        except OSError as exc:
            raise os_problem("cannot read the staged site back", self.staging.as_posix(), exc) from None
        return self._buffer.getvalue()

    def cancel(self) -> None:
        self._stop.set()
        self._thread.join()

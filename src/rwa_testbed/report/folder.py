"""The output folder before a run: checked writable, and locked so that two runs never write into
the same folder at once. A leaf: imports nothing of the project.

The lock is `fcntl.flock` on `<out>/.lock` (the file stays; the lock does not): the kernel drops it
when the process ends, however it ends, so a killed run never leaves a stale lock behind. Within
one process the lock is re-entrant (the script takes it before ape starts a node, `runner.run`
takes it again around the run).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from pathlib import Path

LOCK_NAME = ".lock"


class OutputFolderError(OSError):
    """The output folder cannot be written, or another run holds it; one line for people."""


def check_writable(out: Path) -> Path:
    """Creates `out` (and parents) and writes and removes a probe file in it; raises
    `OutputFolderError` naming the folder and the reason when that fails."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-probe-"):
            pass
    except OSError as err:
        reason = err.strerror or str(err)
        raise OutputFolderError(f"cannot write to the output folder {out}: {reason}; give another --out") from None
    return out


_held: dict[str, tuple[int, int]] = {}  # resolved folder -> (lock file descriptor, holders)
_held_lock = threading.Lock()


class OutputLock:
    """`with OutputLock(out):` holds `<out>/.lock` (creating the folder, checked writable) or raises
    `OutputFolderError` at once if another process holds it. Re-entrant within a process;
    `acquire()` / `release()` for a lock held across calls."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self._acquired = False

    def acquire(self) -> OutputLock:
        check_writable(self.out)
        key = str(self.out.resolve())
        with _held_lock:
            if key in _held:
                fd, holders = _held[key]
                _held[key] = (fd, holders + 1)
            else:
                fd = os.open(self.out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    raise OutputFolderError(
                        f"another run is writing into the output folder {self.out} (it holds {self.out / LOCK_NAME}); "
                        "wait for it to finish or give another --out"
                    ) from None
                _held[key] = (fd, 1)
        self._key = key
        self._acquired = True
        return self

    def release(self) -> None:
        if not self._acquired:
            return
        self._acquired = False
        with _held_lock:
            fd, holders = _held[self._key]
            if holders > 1:
                _held[self._key] = (fd, holders - 1)
            else:
                del _held[self._key]
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

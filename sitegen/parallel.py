"""Spread independent work over the machine's cores, when there is enough to pay for it.

Workers are forked from the building process, so they inherit the work (and, for
rendering, the whole site model) instead of receiving it through a pipe; only results
travel back. Where fork is unavailable the work runs here, one item after another.

The workers are plain forks with two pipes each, not a multiprocessing.Pool: a Pool
keeps three threads in the building process, which wake for every result and contend
for the interpreter lock with the main thread, which writes each page out as it comes.
(When this process takes a share of the work itself, one thread per worker does relay
its results, so that the worker never waits while this process is busy.)
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import selectors
import signal
import struct
import sys
import threading
import traceback
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 64  # below this forking costs more (about 30 ms) than it saves
CHUNK = 16  # items a worker returns at once
AHEAD = 2  # chunks given to each worker at a time, so that it never waits for the next

_HEADER = struct.Struct("<q")  # a chunk's number to a worker; a result's length back


class WorkerError(RuntimeError):
    """A worker process failed; the message holds its traceback."""


def workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def parallel_map(
    func: Callable[[T], R], items: Sequence[T], *, allowed: bool = True, min_items: int = MIN_ITEMS
) -> list[R]:
    """[func(item) for item in items], in order, across processes when worth it: when
    allowed and there are at least min_items (fewer will do when each item is heavy)."""
    results: list[Any] = [None] * len(items)
    for index, value in parallel_iter(func, items, allowed=allowed, min_items=min_items):
        results[index] = value
    return results


def parallel_iter(
    func: Callable[[T], R], items: Sequence[T], *, allowed: bool = True, min_items: int = MIN_ITEMS,
    here: bool = False,
) -> Generator[tuple[int, R], None, None]:
    """(index, func(item)) for every item, in the order they are done, so that the caller
    can deal with each result (write a page, say) and let go of it while others are made.

    With `here`, this process takes its share of the items too, and one worker fewer is
    forked. Each worker ends up with its own copy of what it touches of this process's
    memory, which is much once the whole site is loaded; this process is idle anyway
    when all it does with the results is pass them on."""
    count = min(workers(), len(items))
    if not allowed or count < 2 or len(items) < max(min_items, 2) or not hasattr(os, "fork"):
        yield from ((i, func(item)) for i, item in enumerate(items))
        return
    # Interleaved chunks, so that the big pages and small ones are shared out evenly;
    # a few items go one at a time, taken in order by whichever worker is free.
    step = len(items) if len(items) <= count * CHUNK else max(count * 4, -(-len(items) // CHUNK))
    chunks = [range(start, len(items), step) for start in range(step)]
    if here:
        yield from _Workers(func, items, chunks, count - 1).shared_results()
    else:
        yield from _Workers(func, items, chunks, count).results()


class _Workers:
    """count forked workers, each sent chunk numbers and sending back their results."""

    def __init__(self, func: Callable[[Any], Any], items: Sequence[Any], chunks: list[range], count: int) -> None:
        self.func, self.items, self.chunks = func, items, chunks
        self.pids: list[int] = []
        self.tasks: dict[int, int] = {}  # result pipe -> that worker's task pipe
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            for _ in range(count):
                self._fork()
        except BaseException:
            self._stop(kill=True)
            raise

    def _fork(self) -> None:
        fds: list[int] = []
        # Ctrl-C is held back from here until the child is on record, so that no child
        # is left that _stop does not know of.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            fds += os.pipe()
            fds += os.pipe()
            task_read, task_write, result_read, result_write = fds
            pid = os.fork()
            if pid == 0:
                self._work(task_read, result_write, mask, (task_write, result_read))
            self.pids.append(pid)
            self.tasks[result_read] = task_write
            os.close(task_read)
            os.close(result_write)
        except BaseException:
            for fd in fds:
                if fd not in self.tasks and fd not in self.tasks.values():
                    os.close(fd)
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def _work(self, tasks: int, results: int, mask: Any, others: tuple[int, int]) -> NoReturn:
        """The worker process's life; it ends here, whatever happens."""
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends a worker at once
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            # The parent's objects are set aside, so that this process's collections do
            # not touch (and so copy) every page of the memory it shares with it.
            gc.freeze()
            for fd in (*others, *self.tasks, *self.tasks.values()):
                os.close(fd)  # the other ends, and other workers': they must see EOF when we stop
            self._serve(tasks, results)
        except BaseException:  # noqa: BLE001: whatever happens, this process must end here
            code = 1
        finally:
            os._exit(code)

    def _serve(self, tasks: int, results: int) -> None:
        while True:
            head = _read_exactly(tasks, _HEADER.size)
            if not head:
                return
            (number,) = _HEADER.unpack(head)
            try:
                chunk = self.chunks[number]
                data = pickle.dumps((number, [self.func(self.items[i]) for i in chunk]), pickle.HIGHEST_PROTOCOL)
            except BaseException:  # noqa: BLE001: reported to the parent, which raises it
                data = pickle.dumps((number, WorkerError(traceback.format_exc())), pickle.HIGHEST_PROTOCOL)
            _write_all(results, _HEADER.pack(len(data)))
            _write_all(results, data)  # not joined to its header: a result may be a big page

    def results(self) -> Iterator[tuple[int, Any]]:
        todo = iter(range(len(self.chunks)))
        selector = selectors.DefaultSelector()
        finished = False
        try:
            busy = {}
            for result_pipe, task_pipe in self.tasks.items():
                selector.register(result_pipe, selectors.EVENT_READ)
                busy[result_pipe] = sum(self._send(task_pipe, todo) for _ in range(AHEAD))
            while any(busy.values()):
                for key, _ in selector.select():
                    pipe = int(key.fd)
                    head = _read_exactly(pipe, _HEADER.size)
                    if not head:
                        raise WorkerError("a worker process ended before finishing its work")
                    number, result = pickle.loads(_read_exactly(pipe, _HEADER.unpack(head)[0]))
                    if isinstance(result, WorkerError):
                        raise result
                    busy[pipe] += self._send(self.tasks[pipe], todo) - 1
                    for index, value in zip(self.chunks[number], result):
                        yield index, value
            finished = True
        finally:
            selector.close()
            self._stop(kill=not finished)

    def shared_results(self) -> Iterator[tuple[int, Any]]:
        """results(), with this process taking chunks too. A thread per worker passes it
        chunks and collects its results, so that a worker never waits for this process to
        finish a chunk of its own before it can send what it has made."""
        lock = threading.Lock()
        todo = iter(range(len(self.chunks)))

        def next_chunk() -> int | None:
            with lock:
                return next(todo, None)

        done: queue.SimpleQueue[tuple[int, Any] | BaseException | None] = queue.SimpleQueue()

        def relay(result_pipe: int, task_pipe: int) -> None:
            try:
                sent = 0
                for _ in range(AHEAD):
                    sent += self._send_number(task_pipe, next_chunk())
                while sent:
                    head = _read_exactly(result_pipe, _HEADER.size)
                    if not head:
                        raise WorkerError("a worker process ended before finishing its work")
                    message = pickle.loads(_read_exactly(result_pipe, _HEADER.unpack(head)[0]))
                    done.put(message)
                    sent += self._send_number(task_pipe, next_chunk()) - 1
            except BaseException as exc:  # noqa: BLE001: raised by the thread that yields
                done.put(exc)
            finally:
                done.put(None)

        threads = [threading.Thread(target=relay, args=pipes, daemon=True) for pipes in self.tasks.items()]
        running, finished = len(threads), False

        def received(message: tuple[int, Any] | BaseException | None) -> Iterator[tuple[int, Any]]:
            nonlocal running
            if message is None:
                running -= 1
                return iter(())
            if isinstance(message, BaseException):
                raise message
            number, result = message
            if isinstance(result, WorkerError):
                raise result
            return zip(self.chunks[number], result)

        try:
            for thread in threads:
                thread.start()
            while True:
                while not done.empty():
                    yield from received(done.get())
                number = next_chunk()
                if number is not None:
                    for index in self.chunks[number]:
                        yield index, self.func(self.items[index])
                elif running:
                    yield from received(done.get())
                else:
                    break
            finished = True
        finally:
            if not finished:  # a thread blocked reading from a worker then sees its end
                self._kill()
            for thread in threads:
                if thread.ident is not None:
                    thread.join()
            self._stop(kill=False)

    @staticmethod
    def _send_number(task_pipe: int, number: int | None) -> int:
        if number is None:
            return 0
        _write_all(task_pipe, _HEADER.pack(number))
        return 1

    @staticmethod
    def _send(task_pipe: int, todo: Iterator[int]) -> int:
        return _Workers._send_number(task_pipe, next(todo, None))

    def _stop(self, kill: bool) -> None:
        """Close the pipes, at which idle workers end; kill any still at work if the results
        are no longer wanted; and reap them all."""
        for result_pipe, task_pipe in self.tasks.items():
            os.close(task_pipe)
            os.close(result_pipe)
        self.tasks = {}
        if kill:
            self._kill()
        for pid in self.pids:
            os.waitpid(pid, 0)
        self.pids = []

    def _kill(self) -> None:
        for pid in self.pids:
            os.kill(pid, signal.SIGKILL)


def _read_exactly(fd: int, size: int) -> bytearray:
    """size bytes from fd, or none if it is at its end before the first."""
    buffer = bytearray(size)
    view, done = memoryview(buffer), 0
    while done < size:
        got = os.readv(fd, [view[done:]])
        if not got:
            if done:
                raise WorkerError("a worker's message was cut short")
            return bytearray()
        done += got
    return buffer


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]

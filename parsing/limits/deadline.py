"""A wall-clock (and optionally memory) limit on one parse step, run in a worker process."""
from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from typing import Any, TypeVar

from parsing.limits.base import DEFAULT_LIMITS, InputLimitError, fmt_bytes
from vocab.format import fmt_number

T = TypeVar("T")


def run_with_time_limit(fn: Callable[..., T], *args: Any, seconds: float = DEFAULT_LIMITS.parse_seconds,
                        memory_bytes: int | None = None, start_method: str = "forkserver", **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` in a worker process and return its result; kill it at the deadline.

    A parse step that loops or swaps cannot be interrupted inside the server process (a thread cannot
    be killed, and a signal does not reach C code), so it runs in a process of its own.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled to the worker); its arguments and result must pickle.
    seconds : float
        Wall-clock limit, worker start-up included.
    memory_bytes : int, optional
        Address-space limit of the worker (``RLIMIT_AS``); a ``MemoryError`` there is refused as a limit.
    start_method : str
        ``"forkserver"`` (default: safe in a multi-threaded server such as Streamlit), ``"fork"``
        (faster start, inherits imported modules) or ``"spawn"``.

    Raises
    ------
    InputLimitError
        The deadline passed (the worker is killed), the worker ran out of memory (``memory_bytes`` or
        the machine's), or it died without an answer (killed, crashed, ``sys.exit``).
    Exception
        Whatever ``fn`` raised, re-raised in the caller.
    """
    context = multiprocessing.get_context(start_method)
    if start_method == "forkserver" and fn.__module__ != "__main__":
        # The server imports fn's module once and forks each worker from there (~0.1 s instead of ~1 s
        # of imports per call); it has no effect once the server runs, whose modules stay imported.
        context.set_forkserver_preload([fn.__module__])
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(sender, fn, args, kwargs, memory_bytes), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise InputLimitError(
                f"Việc đọc tệp kéo dài quá {fmt_number(seconds, 0 if seconds == int(seconds) else 1)} giây "
                "(giới hạn thời gian xử lý) và đã bị dừng. "
                "Hãy kiểm tra tệp hoặc tách thành nhiều tệp nhỏ hơn.")
        try:
            ok, value = receiver.recv()
        except EOFError:
            if start_method != "spawn":
                # A worker can die before running fn when the long-lived fork server went stale (its working
                # folder or import path gone): one fresh "spawn" worker decides. A file that really kills
                # the parse kills that one too and is refused below.
                return run_with_time_limit(fn, *args, seconds=seconds, memory_bytes=memory_bytes,
                                           start_method="spawn", **kwargs)
            raise InputLimitError("Tiến trình đọc tệp dừng bất thường (có thể do tệp quá lớn).") from None
    finally:
        receiver.close()
        if worker.is_alive():  # past the deadline, or done but still exiting: nothing more is wanted
            worker.kill()
        worker.join()
        worker.close()
    if ok:
        return value
    raise value


def _worker(sender: Any, fn: Callable[..., Any], args: tuple, kwargs: dict, memory_bytes: int | None) -> None:
    if memory_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        outcome = (True, fn(*args, **kwargs))
    except MemoryError:
        outcome = (False, InputLimitError(_out_of_memory(memory_bytes)))
    except Exception as exc:  # noqa: BLE001 - every failure of fn travels back to the caller (SystemExit ends the worker)
        outcome = (False, exc)
    try:
        sender.send(outcome)
    except Exception as exc:  # noqa: BLE001 - an unpicklable result or exception
        sender.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    sender.close()


def _out_of_memory(memory_bytes: int | None) -> str:
    if memory_bytes is None:
        return "Việc đọc tệp cần nhiều bộ nhớ hơn máy chủ có và đã bị dừng. Hãy tách thành nhiều tệp nhỏ hơn."
    return f"Việc đọc tệp cần hơn {fmt_bytes(memory_bytes)} bộ nhớ (giới hạn bộ nhớ xử lý) và đã bị dừng."

"""Untrusted uploads are parsed in a child process with time and memory limits.

A crafted or damaged file can make a C or Rust parser abort the whole process
(python-calamine asks for hundreds of GiB and aborts; pyreadstat can crash),
hang, or eat all memory. Parsing each upload in its own short-lived child
means such a file costs that one upload a one-line message, and the server
and every other session carry on; the child's memory goes back to the system
when it exits.

Children are forked from a warm ``forkserver`` that has pandas, calamine,
pyreadstat, python-docx, openpyxl and the app's readers already imported, so
a child starts in tens of milliseconds (a fresh interpreter took ~1.9 s).
One child is forked ahead of need and waits for its upload (a spare), and a
child that has answered is reaped in the background, so an upload does not
wait for a fork or an exit: each child still reads exactly one upload, with
its limits set when the upload arrives. At most ``PARSE_SLOTS`` uploads are
parsed at once; the rest wait their turn (``parsing_busy()`` lets a page say
so).

The embedded sample files are the app's own and are read in-process
(``with in_process(): ...``).
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import ctypes
import io
import logging
import multiprocessing
import multiprocessing.context
import os
import pickle
import queue
import resource
import signal
import sys
import tempfile
import threading
import time
from multiprocessing import connection, popen_forkserver, reduction, spawn, util
from typing import NamedTuple

from feedback.errors import InputError


def parse_slots(setting: str | None, cpus: int | None) -> int:
    """How many uploads may be parsed at the same time (each in its own child); the rest queue.
    FEEDBACK_PARSE_SLOTS when set, else one fewer than the machine's cores (at least one), so the
    pages always have a core while uploads are read."""
    return max(1, int(setting) if setting else (cpus or 2) - 1)


PARSE_SLOTS = parse_slots(os.environ.get("FEEDBACK_PARSE_SLOTS"), os.cpu_count())
CHILD_TIMEOUT_S = 60.0
#: Memory a child may use on top of what it starts with (the preloaded libraries).
MIN_WORK_MEMORY = 768 * 2**20
WORK_MEMORY_PER_BYTE = 16          # a 40 MB file may use up to 640 MB while it is parsed
MAX_WORK_MEMORY = 2 * 2**30
QUEUE_TIMEOUT_S = 300.0
#: A parse holds one of the ``PARSE_SLOTS`` for at most this long. Still running then, it moves to
#: the long lane (as many places again) at a lower CPU priority still and frees its slot, so one
#: session's slow file keeps another session's small file waiting a few seconds at most.
SLOT_DEADLINE_S = 2.0
LONG_NICENESS = 15  # a small file beside it (at CHILD_NICENESS) gets three quarters of a shared core
#: CPU seconds a child may use beyond its wall-clock timeout (``RLIMIT_CPU``), in case nobody is
#: left to stop it; its parent dying ends it sooner (``PR_SET_PDEATHSIG``).
CPU_GRACE_S = 5
#: The end of a child's stderr (a Rust backtrace, a C library's complaint) kept for ``last_stderr()``.
STDERR_TAIL_BYTES = 64 * 1024
#: Parsing children run at a lower CPU priority than the server, so pages stay quick for everyone
#: while uploads are read (on a busy machine an upload takes longer instead).
CHILD_NICENESS = 10
#: Imported once by the forkserver, so every child starts with them.
PRELOAD = ["feedback.isolation", "numpy", "pandas", "pyarrow", "python_calamine", "pyreadstat", "docx",
           "openpyxl", "defusedxml", "rapidfuzz", "scipy.sparse", "feedback.safety", "feedback.survey.read",
           "feedback.survey.data_tables", "feedback.roundtables.read", "feedback.audits.register",
           "feedback.warm_readers"]


class LimitExceeded(InputError):
    """The child ran out of time or memory, or died: the input is the likely cause.

    ``reason`` says which, in words that follow "it ..." ("needs more than 0.8 GB of memory"), for
    a caller that words its own message (e.g. a Word template is not "read")."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message


# ------------------------------------------------------------------ in the child
_IN_CHILD = False
_TRUSTED = contextvars.ContextVar("feedback_trusted_input", default=False)
#: The process that imported this module: in a child, the forkserver (which preloads it).
_LOADED_IN = os.getpid()
_PR_SET_PDEATHSIG = 1
_log = logging.getLogger(__name__)


def _let_go_of_the_forkserver() -> None:
    """Close this child's copy of the server's end of the forkserver's "alive" pipe.

    multiprocessing gives every forkserver child that end (so a child could start children of
    its own); while any child holds it the forkserver never sees the server go, so a child busy
    parsing kept the forkserver, and itself, alive after the server was killed."""
    from multiprocessing import forkserver

    fd = getattr(forkserver._forkserver, "_forkserver_alive_fd", None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)
        forkserver._forkserver._forkserver_alive_fd = None


def _die_with_parent() -> None:
    """Linux: have the kernel kill this child (SIGKILL) when its parent exits.

    A child's parent is the forkserver, which forks from its one (main) thread and exits as soon
    as the server's end of its pipe closes (the server ended, even by ``kill -9``); so a child
    never outlives the server by more than that. Not set on the forkserver itself: the signal
    follows the *thread* that started a process, and the forkserver is started by whichever
    server thread first needs it. If the parent died before the signal was set, exit now."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
        if prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):  # not Linux: the CPU-time limit still ends a child in time
        return
    if _LOADED_IN != os.getpid() and os.getppid() != _LOADED_IN:
        os._exit(0)


def _vm_bytes() -> int:
    """This process's address space now (what RLIMIT_AS counts)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _file_rss_bytes() -> int:
    """Resident pages read from files (the libraries' code): a forked child reads again the parts
    it runs, which counts in its resident memory though the pages are shared with every process."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[2]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def reached_memory_limit(margin: int = 64 * 2**20) -> bool:
    """In a child: has its address space come within ``margin`` of its limit (VmPeak)? Some
    parsers (libxml2) report running out of memory as a syntax error ("unknown error")."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return False
    try:
        with open("/proc/self/status") as f:
            peak = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmPeak:"))
    except (OSError, ValueError, StopIteration):
        return False
    return peak >= soft - margin


# ------------------------------------------------------------------ over the pipe
#: Bytes arguments this long, and every array buffer (numpy, pyarrow) in a result, go over the pipe as
#: they are (pickle protocol 5, out of band) instead of being copied into the pickle and out of it again.
OUT_OF_BAND_BYTES = 1 << 16


class _Bytes:
    """A large bytes argument (an upload's content), sent out of band; the child gets the bytes."""

    def __init__(self, data: bytes):
        self.data = data

    def __reduce__(self):
        return _bytes_of, (pickle.PickleBuffer(self.data),)


def _bytes_of(buffer) -> bytes:
    return buffer if type(buffer) is bytes else bytes(buffer)


def _arrow_strings(cls, values, dtype):
    return cls(values, dtype=dtype)


class _Pickler(reduction.ForkingPickler):
    def reducer_override(self, obj):
        """pandas' own pickling of a pyarrow string column first copies it into one chunk, and the
        pickle keeps every copy until the end (a whole survey's text again): its chunks are sent
        as they are."""
        arrays = sys.modules.get("pandas.arrays")
        if arrays is not None and type(obj) is arrays.ArrowStringArray:
            return _arrow_strings, (type(obj), obj.__arrow_array__(), obj.dtype)
        return NotImplemented


def _send(conn, obj) -> None:
    """``conn.send(obj)``, with array buffers and ``_Bytes`` written to the pipe without a copy.

    The whole pickle is made before anything is written, so a failure to pickle (or a
    MemoryError) leaves the pipe clean for another message."""
    buffers: list[pickle.PickleBuffer] = []
    out = io.BytesIO()
    _Pickler(out, 5, True, buffers.append).dump(obj)  # ForkingPickler takes them by position
    views = [b.raw() for b in buffers]
    conn.send([v.readonly for v in views])
    conn.send_bytes(out.getbuffer())
    for view in views:
        conn.send_bytes(view)


def _recv(conn):
    """The other end of ``_send``: buffers that were writable are writable again (numpy arrays)."""
    readonly = conn.recv()
    data = conn.recv_bytes()
    buffers = [conn.recv_bytes() if ro else bytearray(conn.recv_bytes()) for ro in readonly]
    return pickle.loads(data, buffers=buffers)


def _spare_main(conn, stderr_fd: int | None = None) -> None:
    """Body of a spare child: wait for one upload's call, run it under limits, exit.

    Its stderr goes to a file the parent reads (``last_stderr()``), so a parser's
    backtrace never reaches the terminal or the server's log unasked. The
    parent's ``sys.path`` comes first (it may have changed since the fork),
    so the call's function can be imported. The parent closing its end (the
    server stopped) ends the wait. The child's memory is measured from before the
    call arrives, so the upload's own bytes count in its peak.
    """
    if stderr_fd is not None:
        os.dup2(stderr_fd, 2)
        os.close(stderr_fd)
    _let_go_of_the_forkserver()
    _die_with_parent()
    try:
        os.nice(CHILD_NICENESS)
    except OSError:
        pass
    try:
        sys.path[:] = conn.recv()
        start = (_rss_bytes(), _file_rss_bytes())
        func, args, kwargs, allowance, cpu_seconds = _recv(conn)
    except (EOFError, OSError):
        return
    except BaseException as err:  # noqa: BLE001 - e.g. the function's module cannot be imported here
        _send(conn, ("error", RuntimeError(f"the call could not be passed to the child ({type(err).__name__}: "
                                           f"{err})")))
        conn.send({})
        return
    _child_main(conn, func, args, kwargs, allowance, start, cpu_seconds)


def _child_main(conn, func, args, kwargs, allowance: int, start: tuple[int, int], cpu_seconds: float) -> None:
    """Run one call: set the limits, run it, send back (status, value), then the measures
    (peak memory after the answer was sent: sending a large result costs memory too)."""
    global _IN_CHILD
    _IN_CHILD = True
    start_cpu = time.process_time()
    wanted = _vm_bytes() + allowance
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    clamped = limit < wanted  # the server's own limit is lower than what the file was given
    reply: tuple
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind
        _limit_cpu(cpu_seconds)
        reply = ("ok", func(*args, **kwargs))
    except MemoryError:
        reply = ("memory", clamped)
    except BaseException as err:  # noqa: BLE001 - everything goes back to the parent as data
        reply = ("error", err)
    try:
        _send(conn, reply)
    except MemoryError:
        _send(conn, ("memory", clamped))
    except Exception as err:  # noqa: BLE001 - an unpicklable result or exception: send its words
        _send(conn, ("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]} ({err})")))
    del reply
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    library = max(0, _file_rss_bytes() - start[1])
    conn.send({"peak_rss": peak, "start_rss": start[0], "library_rss": library,
               "work": max(0, peak - start[0] - library), "cpu": time.process_time() - start_cpu, "limit": limit,
               "clamped": clamped})
    conn.close()


def _limit_cpu(seconds: float) -> None:
    """RLIMIT_CPU: ``seconds`` more of CPU time, then SIGXCPU (and SIGKILL a few seconds later)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime + seconds) + 1
    _old_soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    wanted = soft + CPU_GRACE_S
    if hard != resource.RLIM_INFINITY:
        soft, wanted = min(soft, hard), min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, wanted))


class _PassFd:
    """A file descriptor passed to a forkserver child (the forkserver sends it with the call)."""

    def __init__(self, fd: int):
        self.fd = fd

    def __reduce__(self):
        return _fd_of, (reduction.DupFd(self.fd),)  # made while the child is spawned: sent along


def _fd_of(dup) -> int:
    return dup.detach()


class _Popen(popen_forkserver.Popen):
    """The forkserver launcher, minus re-running the parent's ``__main__`` in the child.

    By default a child re-imports the parent's main script (under Streamlit,
    its command-line module: ~0.7 s); the readers need nothing from it.
    """

    def _launch(self, process_obj):
        prep_data = {k: v for k, v in spawn.get_preparation_data(process_obj._name).items()
                     if not k.startswith("init_main")}
        buf = io.BytesIO()
        popen_forkserver.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            popen_forkserver.set_spawning_popen(None)
        self.sentinel, w = popen_forkserver.forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = popen_forkserver.forkserver.read_signed(self.sentinel)


class _LimitedProcess(multiprocessing.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


_lock = threading.Lock()
_context = None


def _ctx():
    global _context
    with _lock:
        if _context is None:
            # Set before numpy/pyarrow load in the forkserver: one thread each, system allocator
            # (so the address-space limit counts what is really used).
            for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                os.environ.setdefault(key, "1")
            os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
    return _context


def start_forkserver(background: bool = True) -> None:
    """Start the forkserver now (it imports the parsing libraries once, ~1-2 s), so the
    first upload does not wait for it."""
    def start():
        global _keep_spare
        _ctx()
        popen_forkserver.forkserver.ensure_running()
        _keep_spare = True
        _refill()

    if background:
        threading.Thread(target=start, name="feedback-forkserver", daemon=True).start()
    else:
        start()


# ------------------------------------------------------------------ queue of uploads
class _Lanes:
    """Where parses wait their turn: ``slots`` quick places, and as many long ones.

    Every parse starts in a quick slot. One still running after ``SLOT_DEADLINE_S`` moves to a long
    place when one is free (its child then runs at ``LONG_NICENESS``, below the quick slots' ``CHILD_NICENESS``) and
    gives its quick slot to the next file; when the long lane is full it keeps its slot. So a slow
    file keeps a small one waiting about ``SLOT_DEADLINE_S``, unless ``slots`` slow files already
    fill the long lane. At most twice ``slots`` children run at once.
    """

    def __init__(self, slots: int):
        self.slots = slots
        self.quick = threading.BoundedSemaphore(slots)
        self.long = threading.BoundedSemaphore(slots)
        self.lock = threading.Lock()
        self.in_quick = 0
        self.in_long = 0


class _Turn:
    """One parse's place: a quick slot, then perhaps a long one."""

    def __init__(self, lanes: _Lanes):
        self.lanes = lanes
        self.lane: str | None = None
        self.started = 0.0

    def enter(self, name: str) -> None:
        lanes = self.lanes
        if not lanes.quick.acquire(timeout=QUEUE_TIMEOUT_S):
            raise LimitExceeded(f"{name} could not be read: the server is busy reading other uploads. Try again in "
                                "a few minutes.")
        with lanes.lock:
            lanes.in_quick += 1
        self.lane, self.started = "quick", time.monotonic()

    def move_at(self) -> float | None:
        """When to try the long lane (None: already there)."""
        return self.started + SLOT_DEADLINE_S if self.lane == "quick" else None

    def overtime(self, pid: int | None) -> bool:
        """Past the deadline: move to the long lane if it has room, at a lower priority."""
        lanes = self.lanes
        if self.lane != "quick" or not lanes.long.acquire(blocking=False):
            self.started = time.monotonic() - SLOT_DEADLINE_S + 0.25  # long lane full: look again soon
            return False
        if pid is not None:
            _renice(pid, LONG_NICENESS)
        with lanes.lock:
            lanes.in_quick -= 1
            lanes.in_long += 1
        self.lane = "long"
        lanes.quick.release()
        return True

    def leave(self) -> None:
        lanes = self.lanes
        with lanes.lock:
            if self.lane == "quick":
                lanes.in_quick -= 1
            elif self.lane == "long":
                lanes.in_long -= 1
        if self.lane == "quick":
            lanes.quick.release()
        elif self.lane == "long":
            lanes.long.release()
        self.lane = None


def _renice(pid: int, niceness: int) -> None:
    """Every thread of a child to ``niceness`` (on Linux a nice value belongs to a thread)."""
    try:
        threads = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except (OSError, ValueError):
        threads = [pid]
    for tid in threads:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, niceness)
        except OSError:  # gone already
            pass


_lanes = _Lanes(PARSE_SLOTS)


def parsing_busy() -> bool:
    """Are all quick parse slots taken (so a new upload will wait, at most a few seconds unless
    several slow files are being read)?"""
    return _lanes.in_quick >= _lanes.slots


@contextlib.contextmanager
def in_process():
    """Within this block, files are the app's own (embedded samples): read them in-process."""
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def work_memory(size: int) -> int:
    """Memory allowed for parsing a file of ``size`` bytes, beyond the child's start."""
    return int(min(MAX_WORK_MEMORY, max(MIN_WORK_MEMORY, WORK_MEMORY_PER_BYTE * size)))


_last_measures: dict = {}
_last_stderr = b""


def last_measures() -> dict:
    """The most recent child's memory and CPU time (for the benchmark and tests): ``peak_rss`` and
    ``start_rss`` (resident, before the call arrived), ``library_rss`` (library code it read again,
    shared), ``work`` (the peak beyond the start, less that code: the upload's own cost), ``cpu``."""
    return dict(_last_measures)


def last_stderr() -> str:
    """What the most recent child wrote to its stderr (its last ``STDERR_TAIL_BYTES``): a parser's
    backtrace, kept out of the terminal and the server's log; also logged at DEBUG level."""
    return _last_stderr.decode("utf-8", "replace")


def run_limited(func, *args, name: str = "the file", timeout: float | None = None, memory: int | None = None,
                **kwargs):
    """``func(*args, **kwargs)`` in a fresh child forked from the warm forkserver, with limits.

    ``memory`` is what the work may use beyond the child's start (default
    ``MIN_WORK_MEMORY``); the address-space limit is the lower of that and the
    server's own hard limit; CPU time is limited to ``timeout`` plus
    ``CPU_GRACE_S``. Exceptions raised in the child are raised again
    here; a timeout, memory exhaustion or a crash raise ``LimitExceeded``
    naming ``name``. Inside a child, or within ``in_process()``, the call runs
    directly. ``func`` must be a module-level function.
    """
    if _IN_CHILD or _TRUSTED.get():
        return func(*args, **kwargs)
    timeout = CHILD_TIMEOUT_S if timeout is None else timeout
    memory = MIN_WORK_MEMORY if memory is None else int(memory)
    turn = _Turn(_lanes)
    turn.enter(name)
    try:
        return _run_child(func, args, kwargs, name=name, timeout=timeout, memory=memory, turn=turn)
    finally:
        turn.leave()


# ------------------------------------------------------------------ spare children
class _Child(NamedTuple):
    """A forked child: its process, the parent's end of its pipe, and the file its stderr goes to."""

    process: multiprocessing.process.BaseProcess
    conn: connection.Connection
    stderr: object  # an unnamed temporary file


_spare: list[_Child] = []  # at most one, forked ahead of need
_spare_lock = threading.Lock()
_keep_spare = False  # set by start_forkserver() (a server); a command-line run forks each child when needed


@atexit.register
def _stop_spares() -> None:
    """No new spare while the interpreter exits; the waiting one (if any) sees its pipe close and ends."""
    global _keep_spare
    with _spare_lock:  # lets a fork under way finish sending the child its start-up data
        _keep_spare = False
        while _spare:
            child = _spare.pop()
            child.conn.close()
            child.stderr.close()


def _fork_spare() -> _Child:
    """A child forked from the forkserver, waiting on its pipe for one call, its stderr to a file."""
    parent_end, child_end = _ctx().Pipe(duplex=True)
    stderr = tempfile.TemporaryFile(prefix="feedback-parse-", suffix=".stderr")
    process = _LimitedProcess(target=_spare_main, args=(child_end, _PassFd(stderr.fileno())), daemon=True,
                              name="feedback-parse")
    try:
        process.start()
    except BaseException:
        parent_end.close()
        stderr.close()
        raise
    finally:
        child_end.close()
    return _Child(process, parent_end, stderr)


def _take_spare() -> _Child:
    """The waiting spare if there is a live one, else a new child."""
    with _spare_lock:
        taken = _spare.pop() if _spare else None
    if taken is not None and taken.process.is_alive():
        return taken
    if taken is not None:
        _discard(taken)
    return _fork_spare()


def _refill() -> None:
    """Fork the next spare unless one is waiting (after an upload's answer, so the fork does not
    compete with the parsing for the CPU)."""
    with _spare_lock:
        if _spare or not _keep_spare:
            return
        try:
            _spare.append(_fork_spare())
        except Exception:  # noqa: BLE001 - a spare is an optimisation: the next upload forks its own child
            pass


def _discard(child: _Child) -> None:
    """Stop a child (if it still runs) and collect it, off the caller's path."""
    child.conn.close()
    if child.process.is_alive():
        child.process.kill()
    _later(_collect, child)  # its pipe closes when the process object goes


def _collect(child: _Child) -> None:
    child.process.join(5)
    child.stderr.close()


def _read_stderr(child: _Child) -> bytes:
    """The end of what the child wrote to its stderr (the file offset is shared with the child, so
    read by position)."""
    try:
        fd = child.stderr.fileno()
        size = os.fstat(fd).st_size
        return os.pread(fd, min(size, STDERR_TAIL_BYTES), max(0, size - STDERR_TAIL_BYTES))
    except (OSError, ValueError):
        return b""


_chores: queue.SimpleQueue = queue.SimpleQueue()
_chores_started = False
_chores_lock = threading.Lock()


def _later(task, *args) -> None:
    """Run ``task(*args)`` on the one background thread that forks spares and collects children
    (a thread started per task would make the caller wait until it was scheduled)."""
    global _chores_started
    _chores.put((task, args))
    with _chores_lock:
        if not _chores_started:
            threading.Thread(target=_do_chores, name="feedback-children", daemon=True).start()
            _chores_started = True


def _do_chores() -> None:
    while True:
        task, args = _chores.get()
        try:
            task(*args)
        except Exception:  # noqa: BLE001 - housekeeping: a failure costs at most a spare
            pass


def _measures(conn) -> dict:
    """The child's measures, sent just after its answer (empty if they do not come promptly)."""
    try:
        return conn.recv() if conn.poll(5) else {}
    except (EOFError, OSError):
        return {}


def _run_child(func, args, kwargs, *, name, timeout, memory, turn=None):
    try:
        return _answer(func, args, kwargs, name=name, timeout=timeout, memory=memory, turn=turn)
    finally:
        _later(_refill)


def _answer(func, args, kwargs, *, name, timeout, memory, turn=None):
    global _last_stderr
    child = _take_spare()
    try:
        child.conn.send(sys.path)
    except (BrokenPipeError, ConnectionResetError):  # the spare died waiting (not this file's doing): a new one
        _discard(child)
        child = _fork_spare()
        child.conn.send(sys.path)
    process, conn = child.process, child.conn
    try:
        _send(conn, (func, tuple(_Bytes(a) if type(a) is bytes and len(a) >= OUT_OF_BAND_BYTES else a for a in args),
                     kwargs, memory, timeout))
    except BaseException:
        _discard(child)
        raise
    deadline = time.monotonic() + timeout
    reply = None
    try:
        while reply is None:
            now = time.monotonic()
            left = deadline - now
            if left <= 0:
                raise LimitExceeded(f"{name} took longer than {timeout:g} s to read and was stopped: check it is "
                                    "the right file, or save it again (e.g. as CSV) and retry.",
                                    f"took longer than {timeout:g} s")
            move_at = turn.move_at() if turn is not None else None
            if move_at is not None and move_at <= now:
                turn.overtime(process.pid)
                continue
            ready = connection.wait([conn, process.sentinel],
                                    timeout=left if move_at is None else min(left, move_at - now))
            if conn in ready:
                try:
                    reply = (*_recv(conn), _measures(conn))
                except (EOFError, OSError):
                    reply = ("died", None, {})
            elif process.sentinel in ready:
                if conn.poll(0):
                    continue
                reply = ("died", None, {})
    except BaseException:
        _discard(child)
        raise
    status, value, measures = reply
    exitcode = None
    if status == "died":  # the exit code names the signal: wait for it (the child is gone already)
        conn.close()
        process.join(5)
        exitcode = process.exitcode
        _last_stderr = _read_stderr(child)
        child.stderr.close()
        if exitcode is not None:
            process.close()
    else:  # the child has answered: it exits or is stopped, and is collected, while the caller goes on
        _last_stderr = _read_stderr(child)
        _discard(child)
    if _last_stderr:
        _log.debug("%s: the parsing child wrote to stderr:\n%s", name, last_stderr())
    _last_measures.clear()
    _last_measures.update(measures)
    if status == "ok":
        return value
    if status == "error":
        raise value
    if status == "memory":
        if value:  # clamped: the server's own limit is below what the file needed
            raise LimitExceeded(f"{name} needs more memory than this server allows to read it (the server's limit "
                                "is lower than the app's): ask whoever runs the server to raise it, or split the "
                                "file or keep only the columns you need.", "needs more memory than this server allows")
        raise LimitExceeded(f"{name} needs more than {memory / 2**30:.1f} GB of memory to read and was stopped: "
                            "split the file or keep only the columns you need.",
                            f"needs more than {memory / 2**30:.1f} GB of memory")
    if exitcode == -signal.SIGXCPU:  # its CPU-time limit: the wall-clock one is normally reached first
        raise LimitExceeded(f"{name} took longer than {timeout:g} s of processor time to read and was stopped: "
                            "check it is the right file, or save it again (e.g. as CSV) and retry.",
                            f"took longer than {timeout:g} s of processor time")
    raise LimitExceeded(f"{name} made the reader stop abruptly ({_signal_name(exitcode)}): the file is damaged, "
                        "or needs more memory than the "
                        f"{memory / 2**30:.1f} GB allowed. Open it in its program, save it again, and retry "
                        "(or save it as CSV).", f"made the reader stop abruptly ({_signal_name(exitcode)})") from None


def parse_untrusted(func, name: str, content: bytes, *args, timeout: float | None = None, **kwargs):
    """A reader ``func(name, content, *args, **kwargs)`` run in a limited child.

    Memory allowed grows with the file's size (``work_memory``). Whatever the
    reader raises other than ``InputError`` (zlib, XML, zip, CSV, index,
    value errors, a Rust panic) becomes one ``InputError`` naming the file.
    """
    return run_limited(_guarded, func, name, content, *args, name=name, timeout=timeout,
                       memory=work_memory(len(content)), **kwargs)


def _guarded(func, name, content, *args, **kwargs):
    """Runs in the child: the reader, with every failure turned into a message naming the file."""
    try:
        return func(name, content, *args, **kwargs)
    except (InputError, MemoryError):
        raise
    except RecursionError:
        raise InputError(f"{name} is nested too deeply to read: save it again from its program.") from None
    except BaseException as err:  # noqa: BLE001 - includes pyo3's PanicException (a BaseException)
        raise damaged(name, err) from None


def damaged(name: str, err: BaseException) -> InputError:
    """The one message for a parser failure: the file could not be read, and what to do."""
    detail = " ".join(str(err).split())[:160]
    kind = type(err).__name__
    return InputError(f"{name} could not be read ({kind}{': ' + detail if detail else ''}): the file is damaged "
                      "or not what its name says. Open it in its program, save it again, and retry.")


def _signal_name(code: int | None) -> str:
    if code is None or code >= 0:
        return f"exit code {code}"
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"

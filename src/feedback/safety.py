"""Protections for untrusted uploads, shared by every area's readers.

An upload may be huge, a zip bomb posing as XLSX/DOCX, an XML bomb, or a
crafted SPSS file that crashes or hangs the C parser. The checks here run
*before* a parser sees the bytes, and ``run_limited`` runs a parser in a
child process with a time and memory limit so the server survives it.
"""

from __future__ import annotations

import io
import os
import pickle
import resource
import subprocess
import sys
import zipfile

import defusedxml  # noqa: F401 - required: openpyxl parses untrusted XML through it when it is installed

from feedback.errors import InputError

MAX_UPLOAD_BYTES = 50 * 1024 * 1024          # one upload (Streamlit's server.maxUploadSize is 50 MB too)
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024       # everything inside an XLSX/DOCX, decompressed
MAX_ZIP_MEMBERS = 10_000                     # parts inside an XLSX/DOCX
MAX_ZIP_RATIO = 200                          # decompressed / compressed, per part (real sheets: ~5-30)
CHILD_TIMEOUT_S = 60.0
CHILD_MEMORY_BYTES = 2 * 1024 * 1024 * 1024  # address space of the child (pandas alone maps ~0.5 GB)
_CHUNK = 1 << 20
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")


def check_size(name: str, content: bytes, limit: int | None = None) -> None:
    """Refuse an empty upload or one over the size limit."""
    limit = MAX_UPLOAD_BYTES if limit is None else limit
    if not content:
        raise InputError(f"{name} is empty (0 bytes): choose the file again, or export it again from its program.")
    if len(content) > limit:
        raise InputError(f"{name} is {len(content) / 2**20:.1f} MB, over the {limit / 2**20:.0f} MB upload limit: "
                         "remove unused sheets or columns, or split the file.")


def check_zip(name: str, content: bytes, *, max_total: int | None = None, max_members: int | None = None,
              max_ratio: float | None = None) -> None:
    """Refuse a damaged zip package (XLSX/DOCX), a zip bomb, or XML with a DTD.

    Declared sizes can lie, so every part is actually decompressed (in 1 MB
    chunks, never held whole) and counted against the limits. Office Open XML
    never carries a DTD, so ``<!DOCTYPE``/``<!ENTITY`` (the XML-bomb vehicle)
    is refused outright instead of being left to a parser to expand.
    """
    max_total = MAX_UNZIPPED_BYTES if max_total is None else max_total
    max_members = MAX_ZIP_MEMBERS if max_members is None else max_members
    max_ratio = MAX_ZIP_RATIO if max_ratio is None else max_ratio
    check_size(name, content)
    damaged = (f"{name} is damaged or is not an Office file (its zip package cannot be opened): "
               "open it in Excel or Word and save it again.")
    if not content.startswith(b"PK"):
        raise InputError(damaged)
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InputError(damaged) from None
    if len(infos) > max_members:
        raise InputError(f"{name} holds {len(infos):,} parts, more than the {max_members:,} a real Office file has: "
                         "refused as unsafe. Save it again from Excel or Word.")
    bomb = (f"{name} expands to more than {max_total / 1e6:.0f} MB (or {max_ratio:.0f} times its size) when "
            "opened: refused as a possible zip bomb. If it is genuine, remove unused sheets or save it as CSV.")
    if sum(i.file_size for i in infos) > max_total:
        raise InputError(bomb)
    total = 0
    try:
        for info in infos:
            if info.is_dir():
                continue
            part, tail = 0, b""
            with zf.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    part += len(chunk)
                    total += len(chunk)
                    if total > max_total or part > max(max_ratio * info.compress_size, _CHUNK):
                        raise InputError(bomb)
                    window = tail + chunk
                    if any(m in window for m in _DTD_MARKERS):
                        raise InputError(f"{name}: part {info.filename} declares XML entities (a DTD), which "
                                         "Office files never do: refused as a possible XML bomb. "
                                         "Save the file again from Excel or Word.")
                    tail = chunk[-16:]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise InputError(damaged) from None


def decode_text(name: str, content: bytes) -> str:
    """Text of an upload: UTF-8 (with or without BOM), else Windows-1252."""
    if b"\x00" in content[:8192]:
        raise InputError(f"{name} is not a text file (it holds binary data): export the data as CSV "
                         "(comma, semicolon or tab separated) and upload that.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(f"{name}: the text is neither UTF-8 nor Windows-1252: save it again as "
                         "'CSV UTF-8' (Excel: File > Save As).") from None


# ------------------------------------------------------------------ child process with limits
class LimitExceeded(InputError):
    """The child process ran out of time or memory, or died: the input is the likely cause."""


def _child_main() -> None:
    """Body of the child (``python -c``): limit memory, unpickle the call from stdin,
    run it, pickle ("ok", result) / ("error", exception) / ("memory", None) to stdout."""
    memory = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # anything the work prints must not corrupt the reply
    try:
        func, args, kwargs = pickle.loads(sys.stdin.buffer.read())
        reply = ("ok", func(*args, **kwargs))
    except MemoryError:
        reply = ("memory", None)
    except BaseException as err:  # noqa: BLE001 - everything goes back to the parent as data
        reply = ("error", err)
    try:
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(("memory", None))
    except Exception as err:  # noqa: BLE001 - an unpicklable exception: send its words instead
        data = pickle.dumps(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]} ({err})")))
    out.write(data)
    out.flush()


def run_limited(func, *args, name: str = "the file", timeout: float | None = None, memory: int | None = None,
                **kwargs):
    """``func(*args, **kwargs)`` in a fresh Python process with a time and memory limit.

    A new interpreter (not fork) so a server's threads and locks are not
    copied, and nothing of the caller's ``__main__`` is re-run. ``func`` and
    its arguments must be picklable (a module-level function). Exceptions
    raised in the child are raised again here; a timeout, memory exhaustion
    or a crash of the child raise ``LimitExceeded`` naming ``name``.
    """
    timeout = CHILD_TIMEOUT_S if timeout is None else timeout
    memory = CHILD_MEMORY_BYTES if memory is None else memory
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    payload = pickle.dumps((func, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    process = subprocess.Popen([sys.executable, "-c", "from feedback.safety import _child_main; _child_main()",
                                str(int(memory))], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env)
    try:
        out, err = process.communicate(payload, timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise LimitExceeded(f"{name} took longer than {timeout:g} s to read and was stopped: check it is "
                            "the right file, or save it again (e.g. as CSV) and retry.") from None
    try:
        status, value = pickle.loads(out)
    except Exception:  # noqa: BLE001 - no reply: the child died (signal, abort, or out of memory)
        if b"MemoryError" in err:
            status, value = "memory", None
        else:
            raise LimitExceeded(f"{name} made the reader fail (exit code {process.returncode}): the file is "
                                "damaged or not what its name says. Save it again from its program.") from None
    if status == "memory":
        raise LimitExceeded(f"{name} needs more than {memory / 2**30:.1f} GB of memory to read and was stopped: "
                            "split the file or keep only the columns you need.")
    if status == "error":
        raise value
    return value


def _pid() -> int:
    """The current process id (used by tests to prove the work ran in a child)."""
    return os.getpid()

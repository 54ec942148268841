"""Upload protections: size limit, zip and XML bombs, and the limited child process."""

from __future__ import annotations

import io
import os
import time
import zipfile

import openpyxl
import pytest

from feedback import safety
from feedback.errors import InputError
from tests.helpers import BILLION_LAUGHS, replace_part


def small_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "answer"])
    ws.append([1, "Yes"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def test_defusedxml_protects_openpyxl():
    import defusedxml  # noqa: F401
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_size_limit_and_empty(monkeypatch):
    with pytest.raises(InputError, match=r"empty \(0 bytes\)"):
        safety.check_size("a.csv", b"")
    monkeypatch.setattr(safety, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(InputError, match=r"a.csv is 0.0 MB, over the 0 MB upload limit"):
        safety.check_size("a.csv", b"x" * 1001)
    safety.check_size("a.csv", b"x" * 1000)  # at the limit: fine


def test_a_real_xlsx_passes_the_zip_check():
    safety.check_zip("ok.xlsx", small_xlsx())


def test_truncated_and_non_zip_are_refused():
    content = small_xlsx()
    for bad in (content[: len(content) // 2], b"PK\x03\x04" + os.urandom(500), b"not a zip at all"):
        with pytest.raises(InputError, match=r"bad.xlsx is damaged .* save it again"):
            safety.check_zip("bad.xlsx", bad)


def test_zip_bomb_refused_by_ratio():
    # 30 MB of spaces in the sheet XML compresses to ~30 KB: a 1000:1 ratio
    xml = b'<?xml version="1.0"?><worksheet>' + b" " * 30_000_000 + b"</worksheet>"
    bomb = replace_part(small_xlsx(), SHEET, xml)
    assert len(bomb) < 100_000
    t = time.perf_counter()
    with pytest.raises(InputError, match=r"bomb.xlsx expands to more than .* possible zip bomb"):
        safety.check_zip("bomb.xlsx", bomb)
    assert time.perf_counter() - t < 1.0  # stopped after the first megabyte, not fully expanded


def test_zip_over_total_limit_refused(monkeypatch):
    varied = b"".join(b'<row r="%d"><c><v>%d</v></c></row>' % (i, i * 7919 % 100_003) for i in range(20_000))
    content = replace_part(small_xlsx(), SHEET, b"<worksheet><sheetData>" + varied + b"</sheetData></worksheet>")
    safety.check_zip("big.xlsx", content)  # fine at the default limit
    monkeypatch.setattr(safety, "MAX_UNZIPPED_BYTES", 200_000)
    with pytest.raises(InputError, match="possible zip bomb"):
        safety.check_zip("big.xlsx", content)


def test_too_many_members_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(30):
            zf.writestr(f"part{i}.xml", b"<a/>")
    with pytest.raises(InputError, match="holds 30 parts"):
        safety.check_zip("many.xlsx", out.getvalue(), max_members=20)


def test_xml_bomb_refused_before_parsing():
    bomb = replace_part(small_xlsx(), SHEET, BILLION_LAUGHS)
    with pytest.raises(InputError, match=r"part xl/worksheets/sheet1.xml declares XML entities"):
        safety.check_zip("laughs.xlsx", bomb)
    # and openpyxl, even if it were reached, refuses it too (defusedxml is active)
    with pytest.raises(Exception) as err:
        openpyxl.load_workbook(io.BytesIO(bomb))
    chain = [err.value, err.value.__cause__, err.value.__context__]
    assert any(type(e).__name__ == "EntitiesForbidden" for e in chain), chain


def test_decode_text():
    assert safety.decode_text("a.csv", "é".encode()) == "é"
    assert safety.decode_text("a.csv", b"\xef\xbb\xbfid") == "id"
    assert safety.decode_text("a.csv", "Don’t know".encode("cp1252")) == "Don’t know"
    with pytest.raises(InputError, match="not a text file"):
        safety.decode_text("a.csv", b"\x00\x01\x02binary")
    with pytest.raises(InputError, match="neither UTF-8 nor Windows-1252"):
        safety.decode_text("a.csv", b"abc \x81\x8d\x90")


# ------------------------------------------------------------------ child process
def test_run_limited_runs_in_a_child_and_returns():
    assert safety.run_limited(os.getpid) != os.getpid()
    assert safety.run_limited(sum, [1, 2, 3]) == 6


def test_each_call_gets_a_fresh_child_also_when_a_spare_waits(monkeypatch):
    from feedback import isolation

    monkeypatch.setattr(isolation, "_keep_spare", True)
    isolation._refill()
    spare = isolation._spare[0][0].pid
    first, second = safety.run_limited(os.getpid), safety.run_limited(os.getpid)
    assert first == spare and len({first, second, os.getpid()}) == 3
    with pytest.raises(safety.LimitExceeded, match=r"big.sav needs more than 1.0 GB"):  # limits set on arrival
        safety.run_limited(bytearray, 3 * 2**30, name="big.sav", memory=2**30)


def test_a_spare_that_died_waiting_is_replaced_without_blaming_the_file(monkeypatch):
    from feedback import isolation

    monkeypatch.setattr(isolation, "_keep_spare", True)
    isolation._refill()
    process = isolation._spare[0][0]
    process.kill()
    process.join(5)
    assert safety.run_limited(sum, [1, 2]) == 3


def test_in_process_runs_here():
    with safety.in_process():
        assert safety.run_limited(os.getpid) == os.getpid()


def test_run_limited_reraises_the_childs_error():
    with pytest.raises(ValueError, match="invalid literal"):
        safety.run_limited(int, "x")


def test_run_limited_stops_a_slow_function():
    t = time.perf_counter()
    with pytest.raises(safety.LimitExceeded, match=r"slow.sav took longer than 0.5 s"):
        safety.run_limited(time.sleep, 30, name="slow.sav", timeout=0.5)
    assert time.perf_counter() - t < 5


def test_run_limited_caps_memory():
    with pytest.raises(safety.LimitExceeded, match=r"big.sav needs more than 1.0 GB"):
        safety.run_limited(bytearray, 3 * 2**30, name="big.sav", memory=2**30)


def test_run_limited_survives_a_crash():
    with pytest.raises(safety.LimitExceeded, match=r"crash.sav made the reader stop abruptly \(SIGABRT\)"):
        safety.run_limited(os.abort, name="crash.sav")
    assert safety.run_limited(sum, [2, 2]) == 4  # and the next call still works


def _raise_base_exception(name, content):
    class Panic(BaseException):  # like pyo3_runtime.PanicException: not an Exception
        pass

    raise Panic("called `Option::unwrap()` on a `None` value")


def test_parse_untrusted_turns_any_failure_into_one_line():
    with pytest.raises(InputError, match=r"^odd.xlsx could not be read \(Panic: called .* save it again"):
        safety.parse_untrusted(_raise_base_exception, "odd.xlsx", b"PK")
    with pytest.raises(InputError, match=r"^odd.csv could not be read \(ZeroDivisionError"):
        safety.parse_untrusted(_divide, "odd.csv", b"x")


def _divide(name, content):
    return 1 / 0


def test_queue_limits_how_many_parse_at_once(monkeypatch):
    import threading

    from feedback import isolation

    monkeypatch.setattr(isolation, "_lanes", isolation._Lanes(1))
    seen = []
    worker = threading.Thread(target=lambda: seen.append(safety.run_limited(time.sleep, 1.0)))
    worker.start()
    time.sleep(0.3)
    assert safety.parsing_busy()
    t = time.perf_counter()
    assert safety.run_limited(sum, [1]) == 1  # waited for the first to finish
    assert time.perf_counter() - t > 0.4
    worker.join()
    assert not safety.parsing_busy()


def test_uploads_parsed_at_once_leave_the_pages_a_core():
    from feedback.isolation import parse_slots

    assert [parse_slots(None, cpus) for cpus in (1, 2, 4, None)] == [1, 1, 3, 1]
    assert parse_slots("3", 2) == 3 and parse_slots("0", 8) == 1


# ------------------------------------------------------------------ fair slots, children that end with the server
def _wait_for_file(path: str, limit: float = 120) -> str:
    """Runs in a child: a slow parse that ends when the test creates ``path``."""
    end = time.monotonic() + limit
    while not os.path.exists(path) and time.monotonic() < end:
        time.sleep(0.02)
    return "slow done"


def test_a_slow_parse_gives_its_slot_to_a_small_file_after_the_deadline(monkeypatch, tmp_path):
    """One slot: a slow file moves to the long lane after SLOT_DEADLINE_S, at the lowest priority,
    and another session's small file is parsed while the slow one still runs."""
    import threading

    from feedback import isolation

    lanes = isolation._Lanes(1)
    monkeypatch.setattr(isolation, "_lanes", lanes)
    monkeypatch.setattr(isolation, "SLOT_DEADLINE_S", 0.3)
    release = tmp_path / "release"
    slow, small = [], []
    slow_worker = threading.Thread(target=lambda: slow.append(
        safety.run_limited(_wait_for_file, str(release), name="slow.csv", timeout=120)))
    slow_worker.start()
    try:
        deadline = time.monotonic() + 60
        while lanes.in_long == 0 and time.monotonic() < deadline:  # the slow parse has moved on
            time.sleep(0.02)
        assert lanes.in_long == 1 and lanes.in_quick == 0 and not safety.parsing_busy()
        small_worker = threading.Thread(target=lambda: small.append(
            (safety.run_limited(os.getpriority, os.PRIO_PROCESS, 0), safety.run_limited(sum, [1, 1]))))
        small_worker.start()
        small_worker.join(60)
        assert small and small[0][1] == 2  # parsed while the slow file still holds its (long) place
        assert slow_worker.is_alive() and not slow
        assert small[0][0] < isolation.LONG_NICENESS
    finally:
        release.touch()
        slow_worker.join(60)
    assert slow == ["slow done"]
    assert (lanes.in_quick, lanes.in_long) == (0, 0)


def test_with_the_long_lane_full_a_slow_parse_keeps_its_slot(monkeypatch, tmp_path):
    import threading

    from feedback import isolation

    lanes = isolation._Lanes(1)
    monkeypatch.setattr(isolation, "_lanes", lanes)
    monkeypatch.setattr(isolation, "SLOT_DEADLINE_S", 0.2)
    release = tmp_path / "release"
    done = []
    workers = [threading.Thread(target=lambda: done.append(safety.run_limited(_wait_for_file, str(release))))
               for _ in range(2)]
    try:
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 60
        while (lanes.in_long, lanes.in_quick) != (1, 1) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)  # past the deadline again: the second stays in its slot
        assert (lanes.in_long, lanes.in_quick) == (1, 1) and safety.parsing_busy()
    finally:
        release.touch()
        for worker in workers:
            worker.join(60)
    assert done == ["slow done", "slow done"]


def _pdeathsig() -> int:
    import ctypes

    value = ctypes.c_int(0)
    ctypes.CDLL(None, use_errno=True).prctl(2, ctypes.byref(value), 0, 0, 0)  # PR_GET_PDEATHSIG
    return value.value


def test_children_carry_a_cpu_time_limit_and_die_with_their_parent():
    import resource
    import signal

    from feedback import isolation

    soft, hard = safety.run_limited(resource.getrlimit, resource.RLIMIT_CPU, timeout=10)
    assert 10 < soft <= 20 and hard == soft + isolation.CPU_GRACE_S
    assert safety.run_limited(_pdeathsig) == signal.SIGKILL
    assert resource.getrlimit(resource.RLIMIT_CPU)[0] == resource.RLIM_INFINITY  # not the server's own


def _spin(path: str) -> None:
    """Runs in a child: says who it is, then keeps a core busy."""
    with open(path, "w") as f:
        f.write(f"{os.getpid()} {os.getppid()}")
    while True:
        pass


def _state(pid: int) -> str | None:
    """A process's state letter (R, S, Z...), None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def test_children_end_when_the_server_is_killed(tmp_path):
    """kill -9 of the process that parses: its forkserver and the child busy parsing are gone
    within a few seconds (they kept a core busy for over a minute)."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    ready = tmp_path / "child"
    server = subprocess.Popen([sys.executable, "-c", "import sys; from feedback import safety; "
                               "from tests.test_safety import _spin; "
                               f"safety.run_limited(_spin, {str(ready)!r}, timeout=300)"], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not (ready.exists() and ready.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        child, forkserver = map(int, ready.read_text().split())
        assert _state(child) in ("R", "S") and forkserver != server.pid
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and {_state(child), _state(forkserver)} - {None, "Z"}:
        time.sleep(0.05)
    assert _state(child) in (None, "Z") and _state(forkserver) in (None, "Z")


def _backtrace_and_abort() -> None:
    """Runs in a child: what a Rust panic does, a long backtrace on stderr, then abort."""
    sys_stderr = os.fdopen(2, "w", closefd=False)
    sys_stderr.write("memory allocation of 549755813888 bytes failed\nstack backtrace:\n"
                     + "".join(f"  {i}: calamine::frame\n" for i in range(177)))
    sys_stderr.flush()
    os.abort()


def test_a_childs_stderr_is_kept_from_the_terminal_and_the_message_is_one_line():
    import subprocess
    import sys
    from pathlib import Path

    from feedback import isolation

    with pytest.raises(safety.LimitExceeded, match=r"^crash.xlsx made the reader stop abruptly \(SIGABRT\)"):
        safety.run_limited(_backtrace_and_abort, name="crash.xlsx")
    assert "stack backtrace:" in isolation.last_stderr() and "176: calamine::frame" in isolation.last_stderr()
    run = subprocess.run([sys.executable, "-c", "import sys; from feedback import safety\n"
                          "from tests.test_safety import _backtrace_and_abort\n"
                          "try:\n    safety.run_limited(_backtrace_and_abort, name='crash.xlsx')\n"
                          "except safety.LimitExceeded as err:\n    print(f'error: {err}', file=sys.stderr)\n"
                          "    sys.exit(2)\n"], cwd=Path(__file__).resolve().parents[1], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 2
    assert len(run.stderr.splitlines()) == 1 and run.stderr.startswith("error: crash.xlsx made the reader stop")

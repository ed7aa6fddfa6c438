"""The sandbox on a real kernel: each attack ends as it must, and the session,
the grader and every file outside the scratch space survive it.

One kernel session per module runs attack cells one after the other; a cell
that kills the kernel is followed by a restart, as in a grading. No
TensorFlow is imported here, so each attack costs about a second. Whole
gradings of attack notebooks are in ``test_attacks.py``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from box import WHY_NO_BOX, box_command, run_in_box
from conftest import daemon_cell, leftovers, process_mark

import grader
from grader.errors import SandboxError
from grader.files import socket_folder, temporary_folder
from grader.kernel.session import KernelSession
from grader.sandbox.choice import (
    Limits,
    choose,
    for_one_kernel,
    namespaces_available,
)
from grader.sandbox.users import LOCK_BASES, LOCKS, OWN_IDS, _running_as
from grader.sandbox.watchdog import tree_usage

NAMESPACES, WHY_NOT = namespaces_available()
needs_namespaces = pytest.mark.skipif(not NAMESPACES, reason=WHY_NOT)
LIMITS = Limits(cell_seconds=5, memory_mb=1536, cpu_seconds=30)
GRADER_DIR = Path(grader.__file__).resolve().parent
ROOT = GRADER_DIR.parent
sys.path.insert(0, str(ROOT / "bench"))  # restarts.py, the stress check


@contextmanager
def _running(sandbox):
    """A kernel session with ``kept = 41`` run and kept.

    Its folder is of the grader's own kind, under the system's temporary
    folder: where the kernel runs as another user (a root grader without
    namespaces) the grader opens such folders to it, and pytest's are closed.
    """
    with (
        for_one_kernel(sandbox) as own,
        temporary_folder("grader-test-") as root,
        socket_folder(root) as sockets,
    ):
        kernel = KernelSession(root, own, startup_timeout=60, sockets=sockets)
        with kernel.running():
            assert kernel.run("kept = 41", 10, keep=True).ok
            yield kernel


@pytest.fixture(scope="module")
def session():
    with _running(choose(limits=LIMITS)) as kernel:
        yield kernel


@pytest.fixture(scope="module")
def bare():
    """A session without namespaces: limits only, as on systems without them."""
    with _running(choose(disable=True, limits=LIMITS)) as kernel:
        yield kernel


def _run(session, source, timeout=20):
    started = time.monotonic()
    outcome = session.run(source, timeout)
    took = time.monotonic() - started
    cut = session.last_cut
    # Whatever happened, the session goes on with the cells it kept.
    assert session.run("assert kept == 41", 20).ok
    return outcome, took, cut


FORK_BOMB = """\
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""
MEMORY_BOMB = """\
import numpy as np
hoard = []
while True:
    hoard.append(np.ones(10**7))
"""

# (source, status, words of the reason, seconds it may take)
KILLERS = {
    # Stopped for the number of processes, or for their memory added up.
    "fork-bomb": (FORK_BOMB, "died", "processes", 15),
    "memory-bomb": (MEMORY_BOMB, "died", "more than 1536 MB of memory", 60),
    "one-huge-allocation": (
        "import numpy as np\nx = np.ones(4 * 10**9)",
        "error",
        "Unable to allocate",
        10,
    ),
    "kill-the-parent": (
        "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
        "died",
        "the kernel died",
        15,
    ),
    "kill-every-process": (
        "import os, signal\nos.kill(-1, signal.SIGKILL)\nimport time\ntime.sleep(2)",
        None,  # ok, or died: either way nothing outside the kernel is hit
        "",
        15,
    ),
    "os-exit": ("import os\nos._exit(0)", "died", "the kernel died", 15),
    "sys-exit": ("import sys\nsys.exit(3)", "error", "3", 5),
    "ignores-interrupts": (
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "while True:\n    pass",
        "timeout",
        "time limit",
        30,
    ),
    "ignores-terminate-too": (
        "import signal\nfor s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):\n"
        "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass",
        "timeout",
        "time limit",
        30,
    ),
    "spinning-threads": (
        "import threading\ndef spin():\n    while True:\n        pass\n"
        "for _ in range(4):\n    threading.Thread(target=spin, daemon=True).start()\n"
        "import time\ntime.sleep(300)",
        "died",
        "more than 30 s of CPU time",
        120,
    ),
}


@needs_namespaces
@pytest.mark.parametrize("name", sorted(KILLERS))
def test_an_attack_on_the_kernel_ends_in_time_and_grading_goes_on(session, name):
    source, status, words, bound = KILLERS[name]
    grader_pid = os.getpid()
    # An attack stopped by a limit gets the whole bound to reach it: the kernel
    # runs at nice 19, and on a loaded machine it may take that long to use up
    # its memory or CPU. One that must be stopped by the time limit gets 5 s.
    outcome, took, _ = _run(session, source, timeout=bound if status == "died" else 5)
    if status is not None:
        assert outcome.status == status, outcome
    assert words in outcome.evalue, outcome
    assert took < bound
    assert os.getpid() == grader_pid  # still here to say so
    # Nothing the attack started outlives it.
    pid = session._kernel_pid()
    assert pid is not None and tree_usage(pid).processes <= 2


@needs_namespaces
def test_a_flood_of_output_is_cut_not_stored(session):
    outcome, took, cut = _run(session, "print('x' * 100_000_000)")
    assert outcome.ok and cut
    assert took < 20
    outcome, _, cut = _run(session, "for _ in range(3000):\n    print('y' * 1000)")
    assert outcome.ok and cut
    outcome, _, cut = _run(session, "print('short')")
    assert outcome.ok and not cut


@needs_namespaces
def test_no_network_not_even_the_hosts_loopback(session, listener):
    port, accepted = listener
    probe = socket.create_connection(("127.0.0.1", port), timeout=5)
    probe.close()  # the listener itself works
    deadline = time.monotonic() + 5
    while not accepted and time.monotonic() < deadline:
        time.sleep(0.05)
    seen = len(accepted)
    assert seen == 1
    for address in (("127.0.0.1", port), ("1.1.1.1", 80), ("localhost", port)):
        outcome, _, _ = _run(
            session, f"import socket\nsocket.create_connection({address!r}, timeout=3)"
        )
        assert outcome.status == "error", (address, outcome)
        assert outcome.ename in {"OSError", "ConnectionRefusedError", "gaierror"}
    time.sleep(0.5)
    assert len(accepted) == seen


SECRETS = [
    GRADER_DIR / "judging" / "reference.py",
    GRADER_DIR / "editions" / "probes.py",
    ROOT / "fixtures" / "expected.json",
    ROOT / "solutions" / "Residual_Networks.ipynb",
    Path.home(),
]


@needs_namespaces
def test_the_grader_and_its_answers_are_out_of_reach(session):
    assert all(path.exists() for path in SECRETS)  # each one there to be hidden
    reads = "\n".join(
        f"try:\n    open({str(p)!r}).read()\n    leaked.append({str(p)!r})\n"
        f"except OSError:\n    pass"
        for p in SECRETS
        if p.is_file()
    )
    source = f"""\
import importlib, os
leaked = []
{reads}
for module in (
    "grader", "grader.judging.reference", "grader.editions.probes", "grader.fixtures"
):
    try:
        importlib.import_module(module)
        leaked.append(module)
    except ImportError:
        pass
home = {str(Path.home())!r}
if os.path.isdir(home) and set(os.listdir(home)) - {{".pyenv", ".local"}}:
    leaked.append("home: " + ", ".join(os.listdir(home)))
if leaked:
    raise RuntimeError(leaked)
"""
    outcome, _, _ = _run(session, source)
    assert outcome.ok, outcome


@needs_namespaces
def test_nothing_outside_the_scratch_folder_can_be_changed(session, tmp_path):
    notebook_dir = tmp_path / "submissions"
    notebook_dir.mkdir()
    notebook = notebook_dir / "student.ipynb"
    notebook.write_text("{}", encoding="utf-8")
    home_file = Path.home() / f".grader-sandbox-test-{os.getpid()}"
    home_file.write_text("keep me", encoding="utf-8")
    site = Path(sys.prefix)
    targets = {
        "delete": [home_file, notebook, GRADER_DIR / "py.typed"],
        "append": [notebook, GRADER_DIR / "__init__.py", Path("/etc/hosts")],
        "create": [
            notebook_dir / "planted.py",
            Path.home() / ".bashrc-planted",
            GRADER_DIR / "planted.py",
            site / "planted.pth",
            Path("/usr/planted"),
        ],
    }
    before = {p: p.read_bytes() for p in targets["append"] + targets["delete"]}
    source = "import os\nchanged = []\n"
    for path in targets["delete"]:
        source += f"try:\n    os.remove({str(path)!r})\n    changed.append('rm')\n"
        source += "except OSError:\n    pass\n"
    for path in targets["append"]:
        source += f"try:\n    open({str(path)!r}, 'a').write('#')\n"
        source += "    changed.append('append')\nexcept OSError:\n    pass\n"
    for path in targets["create"]:
        source += f"try:\n    open({str(path)!r}, 'w').write('#')\n"
        source += "    changed.append('create')\nexcept OSError:\n    pass\n"
    source += "open('/tmp/scratch-works', 'w').write('fine')\n"
    source += "if changed:\n    raise RuntimeError(changed)\n"
    try:
        outcome, _, _ = _run(session, source)
        assert outcome.ok, outcome
        for path, content in before.items():
            assert path.read_bytes() == content, path
        for path in targets["create"]:
            assert not path.exists(), path
    finally:
        home_file.unlink(missing_ok=True)


@needs_namespaces
def test_the_kernel_sees_its_own_processes_only(session):
    source = """\
import os
pids = [p for p in os.listdir('/proc') if p.isdigit()]
if pids != ['1'] and sorted(pids) != ['1'] :
    raise RuntimeError(pids)
if os.getppid() != 0:
    raise RuntimeError(os.getppid())
"""
    outcome, _, _ = _run(session, source)
    assert outcome.ok, outcome


# How the kernel ends after starting the daemon: by itself (its launcher
# then kills what is below it), or by killing its launcher first (the
# grading then kills what its watchdog saw below the launcher).
ENDINGS = {
    "kernel-exits": "import os\nos._exit(0)",
    "launcher-killed": "import os, signal, time\n"
    "os.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(5)",
}


@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_without_namespaces_a_daemon_ends_with_its_kernel(bare, ending):
    """Detached (``setsid``, a second fork, another program), it ends with
    the kernel: here at the restart that follows."""
    mark = process_mark(f"bare-daemon-{ending}")
    outcome, _, _ = _run(bare, daemon_cell(mark))
    assert outcome.ok, outcome
    [daemon] = leftovers(mark, seconds=0)  # running, detached
    # Where the kernel kills its launcher, what the grading can clear is what
    # its watchdog has seen below the launcher (it looks every 50 ms): a
    # daemon started since its last look escapes, as docs/sandbox.md says.
    pid, seen = int(daemon.split(":")[0]), bare._watchdog._seen
    deadline = time.monotonic() + 10
    while pid not in seen and time.monotonic() < deadline:
        time.sleep(0.02)
    outcome, _, _ = _run(bare, ENDINGS[ending])
    assert outcome.status == "died"
    assert leftovers(mark) == []


def test_without_namespaces_the_limits_still_hold(bare):
    outcome, _, _ = _run(bare, MEMORY_BOMB)
    assert outcome.status == "died" and "1536 MB" in outcome.evalue
    outcome, _, _ = _run(bare, FORK_BOMB)
    assert outcome.status == "died" and "processes" in outcome.evalue
    # The kernel's parent is a launcher, never the grader.
    outcome, _, _ = _run(
        bare, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"
    )
    assert outcome.status == "died"
    outcome, _, cut = _run(bare, "print('x' * 10_000_000)")
    assert outcome.ok and cut


def test_a_launcher_killed_late_is_seen_dead_by_its_own_cell(bare):
    """The kill lands after the cell answered: still that cell's death.

    Without a PID namespace the kernel dies only once its launcher has, and a
    launcher that is slow to be scheduled lets the kernel answer first
    (``bench/restarts.py`` has the whole story and 30 rounds of it).
    """
    import restarts

    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two cores to starve the launcher on one of them")
    spin = "import os\nos.sched_setaffinity(0, {1})\nwhile True:\n    pass"
    busy = subprocess.Popen([sys.executable, "-c", spin])
    try:
        for _ in range(5):
            outcome, _, _ = _run(bare, restarts.KILL_SLOW_LAUNCHER)
            assert outcome.status == "died", outcome
    finally:
        busy.kill()
        busy.wait()


def test_protections_say_what_is_off():
    on = choose(limits=LIMITS)
    off = choose(disable=True, limits=LIMITS)
    states = {p.name: p.active for p in off.protections}
    assert states == {
        "time": True,
        "memory": True,
        "CPU time": True,
        "processes": True,
        "output": True,
        "network": False,
        "files": False,
        "process isolation": False,
    }
    assert all("--no-sandbox" in p.detail for p in off.protections if not p.active)
    assert all(p.active for p in on.protections) == NAMESPACES


LOCKED_DOWN = (
    "echo 0 > /proc/sys/user/max_user_namespaces && "
    "exec {python} -m grader.commands.cli {args}"
)
#: Where the suite is root: the box of ``tests/box.py``, like a container that
#: grades as root, whose kernel runs as a user id of its own. Elsewhere a user
#: namespace of one id, the user's, as root, that forbids further ones: the
#: kernel there is root, as no other id exists inside.
CONTAINER = not WHY_NO_BOX


def _locked_down(*args: str) -> subprocess.CompletedProcess:
    """Run the CLI where user namespaces are forbidden, like a locked-down box."""
    if CONTAINER:
        argv = box_command([sys.executable, "-m", "grader.commands.cli", *args])
    else:
        command = LOCKED_DOWN.format(python=sys.executable, args=" ".join(args))
        argv = ["unshare", "--user", "--map-root-user", "sh", "-c", command]
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=300, check=False
    )


@needs_namespaces
def test_require_sandbox_refuses_where_there_is_none(tmp_path):
    from conftest import SOLUTION

    done = _locked_down("grade", "--require-sandbox", str(SOLUTION))
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("grader: error: the sandbox is required but cannot")


@needs_namespaces
def test_in_a_box_without_user_namespaces_the_solution_earns_full_marks(tmp_path):
    """The path containers take that forbid user namespaces (Docker's default
    seccomp profile, many CI and autograder hosts): limits only."""
    from conftest import SOLUTION

    results = tmp_path / "results.json"
    done = _locked_down("grade", str(SOLUTION), "--json", str(results))
    assert done.returncode == 0, done.stderr
    assert json.loads(results.read_text())["score"] == 100
    assert "Total: 100/100" in done.stdout
    assert "OFF  network: off (no user namespaces here: " in done.stdout
    if CONTAINER:
        assert "OFF  files: partly: runs as uid " in done.stdout
        assert ", a user of its own for this grading: cannot change " in done.stdout


@needs_namespaces
def test_in_a_box_without_user_namespaces_killing_the_launcher_costs_one_function(
    tmp_path,
):
    import nbformat
    from conftest import edited_solution

    body = "    ### START CODE HERE ###\n"
    kill = "    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n"
    nb = edited_solution([("identity_block", body, body + kill)])
    path = tmp_path / "kills-its-launcher.ipynb"
    nbformat.write(nb, path)
    done = _locked_down("grade", str(path), "--function", "identity_block")
    assert done.returncode == 0, done.stderr
    # As a user of its own, the kernel cannot signal its launcher, root's.
    reason = (
        "identity_block raised PermissionError"
        if CONTAINER
        else "the kernel stopped while building identity_block: "
    )
    assert f"every check fails: {reason}" in done.stdout, done.stdout
    assert "Total: 0/30" in done.stdout
    assert os.getpid() > 0  # the grader that ran this test is still here


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root grader changes user")
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no-such-user-19", "--kernel-user: there is no user 'no-such-user-19' here"),
        ("root", "--kernel-user: 'root' is root"),
    ],
)
def test_a_kernel_user_that_cannot_be_is_refused(name, message):
    with pytest.raises(SandboxError) as refused:
        choose(disable=True, kernel_user=name)
    assert str(refused.value) == message


#: What a kernel tries against another one graded at the same moment, where
#: the grader is root without namespaces; each must raise PermissionError.
#: ``{pid}``: the other kernel's process, ``{scratch}``: its scratch folder.
NEIGHBOUR_ATTEMPTS = {
    "signal-it": "import os, signal\nos.kill({pid}, signal.SIGKILL)",
    "write-its-scratch": "open({scratch!r} + '/planted', 'w')",
    "list-its-scratch": "import os\nos.listdir({scratch!r})",
    "write-through-its-cwd": "open('/proc/{pid}/cwd/planted', 'w')",
    "read-its-environment": "open('/proc/{pid}/environ').read()",
    "trace-it": "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
    "if libc.ptrace(16, {pid}, 0, 0) != 0:  # PTRACE_ATTACH\n"
    "    raise OSError(ctypes.get_errno(), 'ptrace')",
}


@pytest.mark.skipif(bool(WHY_NO_BOX), reason=WHY_NO_BOX)
def test_in_the_container_box_kernels_at_once_are_users_apart():
    """Two kernels at once (``tests/neighbours.py``, in the box), each as an
    id of its own; once given back, nothing runs with either or is theirs,
    in the gradings' temporary folder or in ``/tmp`` and ``/dev/shm``."""
    mark = process_mark("neighbours")
    script = str(Path(__file__).with_name("neighbours.py"))
    with temporary_folder("grader-test-") as tmp:
        done = run_in_box(
            [sys.executable, script, mark, json.dumps(NEIGHBOUR_ATTEMPTS)],
            env={**os.environ, "TMPDIR": str(tmp)},
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        found = json.loads(done.stdout.splitlines()[-1])
        uids = found["reserved"]
        theirs = [p for p in tmp.rglob("*") if p.lstat().st_uid in uids]
    assert uids[0] != uids[1] and all(uid in OWN_IDS for uid in uids)
    assert found["running"] == uids
    assert found["outcomes"] == {
        name: ["error", "PermissionError"] for name in NEIGHBOUR_ATTEMPTS
    }
    assert found["first_alive"]
    assert theirs == []
    assert [f for f in ("/tmp", "/dev/shm") if Path(f, mark).exists()] == []
    locks = next(Path(b) for b in LOCK_BASES if os.path.isdir(b)) / LOCKS
    kept = [uid for uid in uids if (locks / str(uid)).exists() or _running_as(uid)]
    assert kept == []

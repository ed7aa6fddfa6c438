"""Two kernels at once, each as the user a root grader without namespaces
gives it; the second kernel tries to reach the first.

Run inside the container box (``tests/box.py``) by ``test_sandbox``:
``python neighbours.py MARK ATTEMPTS``, where ``ATTEMPTS`` is JSON, each name
with a cell that may use ``{pid}`` (the first kernel's process) and
``{scratch}`` (its scratch folder). The first kernel leaves a file named
``MARK`` in each of ``/tmp`` and ``/dev/shm``. Prints one JSON line: each
kernel's user id as the grader reserved it and as ``/proc`` shows its
process, and each attempt's outcome (status and exception name).
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack

from grader.files import socket_folder, temporary_folder
from grader.kernel.session import KernelSession
from grader.sandbox.choice import choose, for_one_kernel
from grader.sandbox.watchdog import _first_child

LEAVE = "for folder in ('/tmp', '/dev/shm'):\n    open(f'{{folder}}/{mark}', 'w')"


def _uid_of(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        line = next(line for line in handle if line.startswith("Uid:"))
    return int(line.split()[1])


def main(mark: str, attempts: dict[str, str]) -> dict[str, object]:
    """Start the two kernels, make the attempts; what came of them."""
    sandbox = choose(disable=True)
    with ExitStack() as stack:
        kernels = []
        for _ in range(2):
            own = stack.enter_context(for_one_kernel(sandbox))
            root = stack.enter_context(temporary_folder("grader-test-"))
            sockets = stack.enter_context(socket_folder(root))
            session = KernelSession(root, own, startup_timeout=60, sockets=sockets)
            stack.enter_context(session.running())
            assert own.user is not None
            pid = _first_child(session._kernel_pid() or 0)
            assert pid is not None
            kernels.append((own.user.uid, pid, session, root / "scratch"))
        (_, pid, first, scratch), (_, _, second, _) = kernels
        assert first.run(LEAVE.format(mark=mark), 20).ok
        outcomes = {}
        for name, cell in attempts.items():
            outcome = second.run(cell.format(pid=pid, scratch=str(scratch)), 20)
            outcomes[name] = [outcome.status, outcome.ename]
        return {
            "reserved": [uid for uid, _, _, _ in kernels],
            "running": [_uid_of(pid) for _, pid, _, _ in kernels],
            "outcomes": outcomes,
            "first_alive": first.run("pass", 20).ok,
        }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], json.loads(sys.argv[2]))))

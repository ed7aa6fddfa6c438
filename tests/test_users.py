"""The user ids a root grader without namespaces reserves for its kernels:
held by one grading at a time, taken over when their holder was killed, and
given back with nothing left running or lying in ``/tmp``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import leftovers, process_mark

from grader.errors import SandboxError
from grader.sandbox.users import OWN_IDS, _lock, _lock_folder, _running_as, own_user

pytestmark = [
    pytest.mark.fast,
    pytest.mark.skipif(
        not Path("/proc/self/uid_map").exists(), reason="reserving ids needs /proc"
    ),
]
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="only root changes user")

#: A process that takes the lock on the file ``argv[1]`` and says so, then
#: waits until it is killed.
HOLDER = (
    "import sys, time; from pathlib import Path; "
    "from grader.sandbox.users import _lock; "
    "print(_lock(Path(sys.argv[1])) is not None, flush=True); time.sleep(60)"
)


def _holder(path: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "True\n"
    return holder


# How the last holder of an id's lock file is: still running (the id is
# another grading's), or killed without giving it back.
HOLDERS = {"running": (False, False), "killed": (True, True)}


@pytest.mark.parametrize("holder", sorted(HOLDERS))
def test_an_id_is_taken_only_where_no_running_grading_holds_it(holder):
    kill, taken = HOLDERS[holder]
    path = _lock_folder() / f"test-{os.getpid()}"
    other = _holder(path)
    fd = None
    try:
        if kill:
            other.send_signal(signal.SIGKILL)
            other.wait()
            assert path.exists()  # left behind, as by a grader that was killed
        fd = _lock(path)
        assert (fd is not None) == taken
    finally:
        other.kill()
        other.wait()
        if fd is not None:
            os.close(fd)
        path.unlink(missing_ok=True)


def test_a_lock_folder_others_may_write_is_refused(tmp_path):
    folder = tmp_path / "grader-kernel-users"
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.raises(SandboxError) as refused:
        _lock_folder((str(tmp_path),))
    assert str(refused.value) == (
        f"{folder} is not a folder that only root may write: remove it"
    )


@needs_root
def test_an_id_given_back_has_nothing_left_running_or_in_tmp():
    mark = process_mark("own-user-given-back")
    with own_user() as user:
        assert user.uid in OWN_IDS and user.gid == user.uid
        lock = _lock_folder() / str(user.uid)
        assert _lock(lock) is None  # held for this block
        sleeper = subprocess.Popen(
            ["sleep", "377", mark], user=user.uid, group=user.gid, extra_groups=[]
        )
        subprocess.run(
            ["touch", f"/tmp/{mark}"],
            user=user.uid,
            group=user.gid,
            extra_groups=[],
            check=True,
        )
        assert _running_as(user.uid) == [sleeper.pid]
    assert sleeper.wait(5) == -signal.SIGKILL
    assert leftovers(mark, seconds=0) == []
    assert not Path(f"/tmp/{mark}").exists()
    assert not lock.exists()

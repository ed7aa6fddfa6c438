"""Memory as a container counts it: the process's own cgroup, read from
``/proc/self/cgroup`` and ``/proc/self/mountinfo``, and the smallest limit on
the way up. The fast tests lay out cgroup file systems of their own; the last
one makes a real nested group where the machine allows it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.sandbox import cgroup

V1_MOUNT = "35 31 0:32 / {top} rw,relatime - cgroup cgroup rw,memory\n"
V2_MOUNT = "41 31 0:38 {root} {top} rw,relatime - cgroup2 cgroup2 rw\n"
OTHER = "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"


def _layout(tmp_path, *, mountinfo, membership, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "mountinfo").write_text(mountinfo.format(top=tmp_path / "fs"))
    (proc / "cgroup").write_text(membership)
    return cgroup.own_group(proc / "cgroup", proc / "mountinfo")


MB = 2**20
LAYOUTS = {
    # A job nested two levels below a 768 MB limit; its own group is unlimited.
    "v1-nested": (
        OTHER + V1_MOUNT,
        "4:memory:/ci/job\n1:cpu:/\n0::/\n",
        {
            "fs/memory.limit_in_bytes": "9223372036854771712\n",
            "fs/ci/memory.limit_in_bytes": f"{768 * MB}\n",
            "fs/ci/job/memory.limit_in_bytes": "9223372036854771712\n",
        },
        768.0,
    ),
    "v2-nested": (
        V2_MOUNT.replace("{root}", "/"),
        "0::/slice/job\n",
        {
            "fs/cgroup.controllers": "cpu memory pids\n",
            "fs/slice/memory.max": f"{1024 * MB}\n",
            "fs/slice/job/memory.max": f"{2048 * MB}\n",
        },
        1024.0,
    ),
    "v2-unlimited": (
        V2_MOUNT.replace("{root}", "/"),
        "0::/job\n",
        {"fs/cgroup.controllers": "memory\n", "fs/job/memory.max": "max\n"},
        None,
    ),
    # A container with a cgroup namespace: its group reads as "/" and the
    # mount's root is the container's own group.
    "v2-namespace": (
        V2_MOUNT.replace("{root}", "/docker/abc"),
        "0::/\n",
        {"fs/cgroup.controllers": "memory\n", "fs/memory.max": f"{640 * MB}\n"},
        640.0,
    ),
    # A hybrid layout: v2 mounted without the memory controller, which v1 has.
    "hybrid": (
        V1_MOUNT.replace("{top}", "{top}/memory")
        + V2_MOUNT.replace("{root}", "/").replace("{top}", "{top}/unified"),
        "4:memory:/grading\n0::/\n",
        {
            "fs/unified/cgroup.controllers": "",
            "fs/memory/grading/memory.limit_in_bytes": f"{1536 * MB}\n",
        },
        1536.0,
    ),
}


@pytest.mark.fast
@pytest.mark.parametrize("name", LAYOUTS)
def test_the_limit_is_the_smallest_from_the_own_group_up(tmp_path, name):
    mountinfo, membership, files, megabytes = LAYOUTS[name]
    group = _layout(tmp_path, mountinfo=mountinfo, membership=membership, files=files)
    assert group is not None
    limit = group.limit_bytes()
    assert (None if limit is None else limit / MB) == megabytes


@pytest.mark.fast
def test_no_memory_cgroup_is_no_group(tmp_path):
    group = _layout(tmp_path, mountinfo=OTHER, membership="0::/\n", files={"fs/x": ""})
    assert group is None


@pytest.mark.fast
@pytest.mark.parametrize(
    ("version", "files", "kills"),
    [
        (2, {"memory.events": "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n"}, 1),
        (
            1,
            {
                "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
                "kernel/memory.oom_control": "oom_kill_disable 0\noom_kill 2\n",
            },
            2,
        ),
    ],
    ids=["v2", "v1-subgroup"],
)
def test_oom_kills_are_counted(tmp_path, version, files, kills):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cgroup.Group(tmp_path, tmp_path, version).oom_kills() == kills


def test_a_process_in_a_nested_group_reads_that_groups_limit(tmp_path):
    group = cgroup.make_child(f"grader-test-{os.getpid()}", 512)
    if group is None:
        pytest.skip("no memory cgroup can be made here (not root, or none delegated)")
    try:
        probe = (
            "from grader.sandbox.cgroup import memory_limit_mb; "
            "print(memory_limit_mb())"
        )
        result = subprocess.run(
            [
                "sh",
                "-c",
                f'echo $$ > {group.folder}/cgroup.procs && exec "$0" -c "$1"',
                sys.executable,
                probe,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert float(result.stdout) == 512.0
    finally:
        cgroup.remove(group)
    assert not Path(group.folder).exists()

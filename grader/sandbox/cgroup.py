"""Memory as the container counts it: this process's own memory cgroup.

A container's memory limit is not always at the root of the cgroup file
system: Docker and Gradescope mount the container's own group as the root,
but a nested group (systemd's slices, a CI runner's job, ``cgexec``) puts the
process several levels down, and a limit on any level above applies. So the
limit read here is the smallest one on the way from the process's own group
(``/proc/self/cgroup``) up to the top of the hierarchy as mounted
(``/proc/self/mountinfo``), for cgroup v2 and v1 alike.

A cgroup counts a page once, however many processes map it; summing the
resident sets of a process tree counts TensorFlow's shared libraries once per
process, which is why the figures here are smaller than ``ps`` suggests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: cgroup v1 writes "no limit" as a page-rounded 2**63 - 1; anything this
#: large is no limit.
UNLIMITED = 2**60
#: The files of a limit and of a peak, by cgroup version.
LIMIT_FILE = {2: "memory.max", 1: "memory.limit_in_bytes"}
PEAK_FILE = {2: "memory.peak", 1: "memory.max_usage_in_bytes"}
#: Where the OOM killer's count is: hierarchical in v2, per group in v1.
EVENTS_FILE = {2: "memory.events", 1: "memory.oom_control"}


@dataclass(frozen=True)
class Group:
    """A memory cgroup: where it is mounted, its folder and its version."""

    top: Path
    folder: Path
    version: int

    def limit_bytes(self) -> int | None:
        """The smallest memory limit from this group up to the top, or None."""
        smallest: int | None = None
        folder = self.folder
        while True:
            value = _read_bytes(folder / LIMIT_FILE[self.version])
            if value is not None and (smallest is None or value < smallest):
                smallest = value
            if folder == self.top or folder.parent == folder:
                return smallest
            folder = folder.parent

    def peak_bytes(self) -> int | None:
        """The group's peak memory so far (v2 ``memory.peak``, v1 max usage)."""
        return _read_bytes(self.folder / PEAK_FILE[self.version])

    def oom_kills(self) -> int:
        """How many processes the OOM killer has killed in this group.

        Version 2 counts a group's descendants in its own ``memory.events``;
        version 1 counts each group apart, so its subgroups are added up.
        """
        folders = [self.folder]
        if self.version == 1:
            folders += [path.parent for path in self.folder.rglob(EVENTS_FILE[1])]
        total = 0
        for folder in set(folders):
            try:
                text = (folder / EVENTS_FILE[self.version]).read_text("ascii")
            except (OSError, UnicodeDecodeError):
                continue
            for line in text.splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and value.strip().isdigit():
                    total += int(value)
        return total


def _read_bytes(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        value = int(text)
    except ValueError:
        return None  # "max": no limit
    return value if value < UNLIMITED else None


def _mounts(mountinfo: str) -> list[tuple[str, Path, int]]:
    """The memory cgroup mounts: (root within the hierarchy, mount point, version)."""
    found = []
    for line in mountinfo.splitlines():
        fields = line.split()
        if "-" not in fields:
            continue
        dash = fields.index("-")
        if len(fields) < dash + 4 or len(fields) < 5:
            continue
        kind, options = fields[dash + 1], fields[dash + 3].split(",")
        root, point = fields[3], Path(fields[4].replace("\\040", " "))
        if kind == "cgroup2":
            found.append((root, point, 2))
        elif kind == "cgroup" and "memory" in options:
            found.append((root, point, 1))
    return found


def _membership(cgroup: str) -> dict[int, str]:
    """The group path of this process per version, from ``/proc/self/cgroup``."""
    paths: dict[int, str] = {}
    for line in cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        number, controllers, path = parts
        if number == "0" and controllers == "":
            paths.setdefault(2, path)
        elif "memory" in controllers.split(","):
            paths[1] = path
    return paths


def own_group(
    cgroup_file: Path = Path("/proc/self/cgroup"),
    mountinfo_file: Path = Path("/proc/self/mountinfo"),
) -> Group | None:
    """The memory cgroup of this process, or None where none is mounted or readable.

    Under a hybrid layout (v1 controllers beside a v2 mount that holds none of
    them) the v1 memory controller is the one that counts.
    """
    try:
        membership = _membership(cgroup_file.read_text(encoding="utf-8"))
        mounts = _mounts(mountinfo_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    for version in (1, 2):
        path = membership.get(version)
        if path is None:
            continue
        for root, point, mounted in mounts:
            if mounted != version:
                continue
            # The mount shows the hierarchy from ``root`` down; a group
            # outside it (a cgroup namespace) reads as if ``root`` were "/".
            relative = path[len(root) :] if path.startswith(root) else path
            folder = point / relative.lstrip("/")
            if version == 2 and not (point / "cgroup.controllers").is_file():
                continue
            if version == 2 and "memory" not in _controllers(point):
                continue
            if folder.is_dir():
                return Group(point, folder, version)
    return None


def _controllers(point: Path) -> set[str]:
    try:
        return set((point / "cgroup.controllers").read_text(encoding="ascii").split())
    except (OSError, UnicodeDecodeError):
        return set()


def oom_kills() -> int:
    """How many processes the OOM killer has killed in this process's group.

    A count since the group was made: compare two readings.
    """
    group = own_group()
    return group.oom_kills() if group is not None else 0


def memory_limit_mb() -> float | None:
    """The memory limit in MB of this process's cgroup, or None if unlimited."""
    group = own_group()
    limit = group.limit_bytes() if group else None
    return None if limit is None else limit / 2**20


def make_child(name: str, limit_mb: int) -> Group | None:
    """A new memory cgroup below this process's own, limited to ``limit_mb``.

    For measuring (the bench) and for tests: it needs write access to the
    cgroup file system (root, or a delegated group) and, under version 2, a
    parent that hands the memory controller down. None where it cannot be
    made. Processes join it by writing their PID to its ``cgroup.procs``.
    """
    parent = own_group()
    if parent is None:
        return None
    folder = parent.folder / name
    try:
        folder.mkdir()
    except OSError:
        return None
    child = Group(parent.top, folder, parent.version)
    try:
        (folder / LIMIT_FILE[parent.version]).write_text(f"{limit_mb * 2**20}\n")
        if parent.version == 1:
            # No swapping: the limit is the memory the processes may use.
            (folder / "memory.swappiness").write_text("0\n")
    except OSError:
        remove(child)
        return None
    return child


def remove(group: Group) -> None:
    """Remove an empty group made by ``make_child``; its processes must be gone."""
    try:
        group.folder.rmdir()
    except OSError:
        pass

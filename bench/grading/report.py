"""The bench's report: its figures as a Markdown table, then each miss.

Owns the text only: one row per measure (goal, older figure, this figure,
met or missed), the phases of the median gradings side by side, the batch's
workers, and for each goal missed the explanation measured for it or the
memory its group held near the peak. Measures nothing. Imports the cgroups
(for a snapshot) and the figures.
"""

from __future__ import annotations

from .cgroups import Snapshot
from .figures import Explanations, Figures

#: The rows of one part of the table and the misses it explains.
Part = tuple[list[str], list[list[str]]]


def report(figures: Figures, explained: Explanations) -> list[str]:
    """The whole report: the header, the table, the phases, then the misses."""
    f = figures
    labels = f.labels
    lines = [
        f"Machine: {'; '.join(f.about)}",
        f"This code: {f.head}, cache warm (`grader cache warm`, "
        f"{f.warm.seconds:.0f} s, once); {f.old.label}: a git worktree of it, same "
        "venv, PYTHONPATH.",
        "",
        f"| measure | goal | {labels[0]} | {labels[1]} | |",
        "|---|---|---:|---:|---|",
    ]
    misses: list[list[str]] = []
    for part in (
        grading_rows(f, explained),
        memory_rows(f),
        batch_rows(f),
        check_rows(f, explained),
        course_rows(f),
    ):
        lines += part[0]
        misses += part[1]
    lines += extra_rows(f)
    a, b = f.gradings[f.old.label], f.gradings[f.new.label]
    lines += [
        "",
        "Where the median gradings' time went (`grader grade --timings`):",
        "",
        *phase_table(a.phases[a.middle()], b.phases[b.middle()], labels),
    ]
    lines += worker_lines(f)
    for miss in misses:
        lines += ["", *miss]
    return lines


def grading_rows(f: Figures, explained: Explanations) -> Part:
    """``grader grade`` of the solution: speed, load, empty cache, peak."""
    a, b = f.gradings[f.old.label], f.gradings[f.new.label]
    speed = f.speed
    rows = [
        row(
            f"`grader grade` solution, median of {f.runs} (min to max)",
            f">= 2x faster than {f.old.label}",
            a.span(),
            f"{b.span()}: {speed:.2f}x",
            speed >= 2,
        ),
        row(
            "1-minute load average as each grading ended (min to max)",
            "(other users)",
            f"{min(a.loads):.1f} to {max(a.loads):.1f}",
            f"{min(b.loads):.1f} to {max(b.loads):.1f}",
            None,
        ),
        row(
            f"the same with an empty cache, median of {len(f.cold[f.new.label].walls)} "
            "(min to max)",
            "(no goal)",
            f.cold[f.old.label].span(),
            f.cold[f.new.label].span(),
            None,
        ),
        row(
            "peak of one grading with an empty cache (max)",
            "(no goal)",
            f"{max(f.cold[f.old.label].peaks):,.0f} MB",
            f"{max(f.cold[f.new.label].peaks):,.0f} MB",
            None,
        ),
        row(
            "peak of one grading, as a memory cgroup counts it (max)",
            "(no goal)",
            f"{max(a.peaks):,.0f} MB",
            f"{max(b.peaks):,.0f} MB",
            None,
        ),
    ]
    if explained.grade_profile is None:
        return rows, []
    miss = [
        "### `grader grade` less than 2x faster",
        "",
        "Phases: the table above. cProfile of this code's grader "
        "process (cumulative; the kernel's work shows as waiting):",
        "",
        *fenced(explained.grade_profile),
    ]
    return rows, [miss]


def memory_rows(f: Figures) -> Part:
    """``run_autograder`` in each memory limit: a row, and a miss where it failed."""
    rows: list[str] = []
    misses: list[list[str]] = []
    for limit in f.limits:
        pair = f.boxed_at(limit)
        second = pair[1]
        if second is None:
            rows.append(
                row(
                    f"`run_autograder` in {limit} MB",
                    "grades, 100/100",
                    "n/a",
                    "no memory cgroup",
                    None,
                )
            )
            continue
        shown = [
            f"{x.outcome}, peak {x.peak_mb:,.0f} MB, {x.seconds:.0f} s" if x else ""
            for x in pair
        ]
        hidden = f.hidden.get(limit)
        if hidden is not None:
            shown[0] += (
                f"; limit hidden from it: {hidden.outcome}, peak "
                f"{hidden.peak_mb:,.0f} MB, {hidden.seconds:.0f} s"
            )
        rows.append(
            row(
                f"`run_autograder` in a {limit} MB memory cgroup",
                "100/100" if limit != 768 else "grades, not refuses: 100/100",
                shown[0],
                shown[1],
                second.graded,
            )
        )
        if second.graded:
            continue
        misses.append(
            [
                f"### `run_autograder` in {limit} MB: {second.outcome}",
                "",
                *fenced(
                    snapshot_lines("this code, near the peak", second.at_peak)
                    + (
                        snapshot_lines(
                            f"{f.old.label}, limit hidden, near the peak",
                            hidden.at_peak,
                        )
                        if hidden is not None
                        else []
                    )
                ),
            ]
        )
    return rows, misses


def batch_rows(f: Figures) -> Part:
    """The batch with ``-j 2``: its rate and its heaviest worker."""
    if not f.batches:
        return [], []
    old, new = f.old.label, f.new.label
    rates, ratio = f.rates, f.batch_ratio
    worst, counted = f.worst, f.counted
    before, now = f.batches[old], f.batches[new]
    rows = [
        row(
            f"batch of {f.batch_size}, `-j 2`: submissions a minute",
            f">= 2x {old}",
            f"{rates[old]:.1f}/min ({before.seconds:.0f} s, load {before.load:.1f})",
            f"{rates[new]:.1f}/min ({now.seconds:.0f} s, "
            f"load {now.load:.1f}): {ratio:.2f}x",
            ratio >= 2,
        ),
        row(
            "worst worker's peak, its own memory cgroup (workers; whole batch)",
            "<= 1 GB",
            f"{worst[old]:,.0f} MB ({counted[old]}; {before.peak_mb:,.0f} MB)",
            f"{worst[new]:,.0f} MB ({counted[new]}; {now.peak_mb:,.0f} MB)",
            0 < worst[new] <= 1024 if counted[new] else None,
        ),
    ]
    misses = []
    if ratio < 2:
        misses.append(
            [
                "### batch less than 2x the submissions a minute",
                "",
                "A warm worker's grading is one `grader grade` less its "
                "start and imports: see the phases above.",
            ]
        )
    if counted[new] and worst[new] > 1024:
        heaviest = max(now.workers, key=lambda w: w[0])
        misses.append(
            [
                "### a batch worker above 1 GB",
                "",
                *fenced(
                    snapshot_lines("the heaviest worker near its peak", heaviest[1])
                ),
            ]
        )
    return rows, misses


def check_rows(f: Figures, explained: Explanations) -> Part:
    """``grader check`` of one function: its median, and the phases of a miss."""
    one = f.check
    rows = [
        row(
            f"`grader check --function identity_block`, median of {f.runs}",
            "<= 5 s",
            f"{one[f.old.label]:.1f} s",
            f"{one[f.new.label]:.1f} s",
            one[f.new.label] <= 5,
        )
    ]
    if explained.check_phases is None or explained.check_profile is None:
        return rows, []
    (wall_a, phases_a), (wall_b, phases_b) = explained.check_phases
    miss = [
        "### `grader check` of one function above 5 s",
        "",
        f"One more `grader check` each, its report's phases (whole command "
        f"{wall_a:.1f} s and {wall_b:.1f} s; the rest is Python's start "
        "and the grader's imports):",
        "",
        *phase_table(phases_a, phases_b, f.labels),
        "",
        "cProfile of the grader process (its main thread; cumulative):",
        "",
        *fenced(explained.check_profile),
    ]
    return rows, [miss]


def course_rows(f: Figures) -> Part:
    """The course folder's gradebook against the one before."""
    if f.course is None:
        return [], []
    rows = [
        row(
            "course folder's gradebook, all columns but `seconds`",
            "as bench/gradebook-before.csv",
            "not graded",
            "the same" if not f.course else f"{len(f.course)} differences",
            not f.course,
        )
    ]
    if not f.course:
        return rows, []
    return rows, [["### the gradebook changed", "", *f.course]]


def extra_rows(f: Figures) -> list[str]:
    """This side's figures with no goal: half a core, a hang, the notebook."""
    rows = []
    if f.half is not None:
        rows.append(
            row(
                "`grader grade` on half a core (taskset + 50% CFS)",
                "(no goal)",
                "",
                f"{f.half.walls[0]:.0f} s",
                None,
            )
        )
    if f.hang is not None:
        rows.append(
            row(
                "endless loop in identity_block, whole grading",
                "(no goal)",
                "",
                f"{f.hang:.0f} s",
                None,
            )
        )
    if f.notebook is not None:
        rows.append(
            row(
                "the notebook top to bottom (2 epochs)",
                "(no goal)",
                "",
                f"{f.notebook[0]:.0f} s, peak {f.notebook[1]:,.0f} MB",
                None,
            )
        )
    return rows


def worker_lines(f: Figures) -> list[str]:
    """Each batch's workers' peaks, and its other children's."""
    if not f.batches:
        return []
    lines = ["", "The batch's workers, each in a memory cgroup of its own:", ""]
    for label, done in f.batches.items():
        peaks = ", ".join(f"{peak:,.0f}" for peak, _ in done.workers)
        others = "; ".join(
            f"{peak:,.0f} MB ({_names(snap)})" for peak, snap in done.others
        )
        lines.append(
            f"- {label}: {peaks} MB"
            + (f"; other children of the batch: {others}" if others else "")
        )
    return lines


def row(measure: str, goal: str, old: str, new: str, met: bool | None) -> str:
    """One Markdown row: measure, goal, old figure, new figure, verdict."""
    verdict = "n/a" if met is None else ("met" if met else "**missed**")
    return f"| {measure} | {goal} | {old} | {new} | {verdict} |"


def phase_table(
    first: list[tuple[str, float]],
    second: list[tuple[str, float]],
    labels: tuple[str, str],
) -> list[str]:
    """Two gradings' phases side by side, as a Markdown table."""
    a, b = dict(first), dict(second)
    names = list(a) + [name for name in b if name not in a]
    lines = [f"| phase | {labels[0]} | {labels[1]} |", "|---|---:|---:|"]
    for name in names:
        left = f"{a[name]:.1f}" if name in a else ""
        right = f"{b[name]:.1f}" if name in b else ""
        lines.append(f"| {name} | {left} | {right} |")
    return lines


def _names(snap: Snapshot) -> str:
    return ", ".join(n for n, _ in snap.processes) or "gone before a sample"


def snapshot_lines(title: str, snap: Snapshot) -> list[str]:
    """A group's memory near its peak: kinds, then processes, as text."""
    kinds = ", ".join(f"{kind} {mb:,.0f} MB" for kind, mb in snap.kinds.items())
    lines = [f"{title}: {snap.usage_mb:,.0f} MB in use ({kinds})"]
    for name, rss in sorted(snap.processes, key=lambda p: -p[1]):
        lines.append(f"    {rss:7,.0f} MB resident  {name}")
    return lines


def fenced(lines: list[str]) -> list[str]:
    """``lines`` as a Markdown code block, shown as the program printed them."""
    return ["```", *lines, "```"]

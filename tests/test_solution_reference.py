"""The reference is each edition's solution notebook, run in the sandboxed
kernel through every probe and kept once per machine (``grader.judging.solution``).
The grader's hand-written ResNet-50 (``grader.judging.reference``, a stage table)
lives on here as the oracle: every probe's answer of every shipped edition's
solution is that model, layer for layer and name for name."""

from __future__ import annotations

import pytest

from grader import editions


@pytest.fixture(scope="module")
def sandbox():
    from grader.sandbox.choice import choose

    return choose()


@pytest.mark.parametrize("name", editions.names())
def test_each_solution_answers_every_probe_as_the_stage_table_builds_it(name, sandbox):
    from grader.judging import reference
    from grader.judging.solution import Solution
    from grader.models import graph, graph_read
    from grader.models import rebuild as models
    from grader.notebooks.notebook import read_solution

    edition = editions.get(name)
    solution = Solution(edition, sandbox, read_solution(edition))
    for probe in edition.probes:
        theirs = models.rebuild(solution.answer(probe.function, probe.key))
        ours = reference.build(
            probe.function,
            probe.kwargs,
            probe.input_shape,
            layer_names=edition.layer_names,
        )
        assert [layer.name for layer in theirs.layers] == [
            layer.name for layer in ours.layers
        ], probe
        differences = graph.compare(
            graph_read.from_model(theirs), graph_read.from_model(ours), shapes=True
        )
        assert differences == [], (probe, [d.text for d in differences])


def test_the_answers_are_kept_under_the_notebooks_digest(
    tmp_path, monkeypatch, sandbox
):
    """Kept once: a second reading needs no kernel; another notebook (or
    other probes) is another entry."""
    import dataclasses
    import shutil

    from grader.judging import cache, solution
    from grader.notebooks.notebook import read_solution

    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path / "cache"))
    monkeypatch.setattr(solution, "_kept", {})
    edition = editions.get("2021-initializer-only")
    notebook = read_solution(edition)
    answers = solution.run(edition, notebook, sandbox)
    (kept,) = (tmp_path / "cache").glob("solution-*.json")
    assert kept.stem == solution.entry(edition, notebook)
    monkeypatch.setattr(solution, "_kept", {})
    assert solution.kept(edition, notebook) == answers
    copy = tmp_path / "copy.ipynb"
    shutil.copy(edition.solution, copy)
    with copy.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    other = dataclasses.replace(edition, solution=copy)
    read = read_solution(other)
    assert solution.entry(other, read) != solution.entry(edition, notebook)
    assert solution.kept(other, read) is None
    fewer = dataclasses.replace(edition, probes=edition.probes[:-1])
    assert solution.entry(fewer, notebook) != solution.entry(edition, notebook)


def test_a_solution_that_does_not_answer_a_probe_is_the_graders_error(
    tmp_path, monkeypatch, sandbox
):
    """A reference that raises: the solution's block fails on a hidden probe
    (s=3), so every check that compares with it cannot run, and the
    grading of a correct notebook is an error, not a score."""
    import dataclasses

    import nbformat

    from grader import errors
    from grader.grading import grade
    from grader.judging import cache
    from grader.notebooks.read import find_graded_cells

    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, cache.OFF)
    edition = editions.get("2021-initializer-only")
    nb = nbformat.read(edition.solution, as_version=4)
    cell = nb.cells[find_graded_cells(nb)["convolutional_block"].index]
    cell.source = cell.source.replace(
        "    F1, F2, F3 = filters\n",
        "    F1, F2, F3 = filters\n"
        "    if s == 3:\n"
        "        raise ValueError('this solution was never run with s=3')\n",
        1,
    )
    broken = tmp_path / "solution" / "Residual_Networks.ipynb"
    broken.parent.mkdir()
    nbformat.write(nb, broken)
    patched = dataclasses.replace(edition, solution=broken)
    monkeypatch.setitem(editions.EDITIONS, edition.name, patched)
    with pytest.raises(errors.CheckError) as caught:
        grade(edition.solution, functions=["convolutional_block"])
    assert caught.value.faults == tuple(
        f"convolutional_block: {check}: SolutionError: the 2021-initializer-only "
        "edition's solution (Residual_Networks.ipynb) gave no model for "
        "convolutional_block's probe 'hidden': it raised ValueError: this "
        "solution was never run with s=3"
        for check in (
            "initializer argument",
            "hidden inputs, inference",
            "hidden inputs, training",
        )
    )

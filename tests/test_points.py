"""Points the instructor sets: the points file, its refusals, partial credit
and re-scoring. The checks table imports TensorFlow, so only the tests on
hand-made tables are fast; none starts a kernel."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.reports.points import Policy, Setting, earned, load_policy, rescore
from grader.reports.results import CheckResult, GradeReport

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "points.example.toml"


@dataclass(frozen=True)
class Row:
    """A row of a checks table of its own, for the fast tests."""

    function: str
    name: str
    points: float
    visible: bool


TABLE = (Row("f", "layer names", 5, True), Row("f", "training", 5, False))


@pytest.mark.fast
@pytest.mark.parametrize(
    ("points", "credit", "expected"),
    [
        (5, 1.0, 5),
        (5, 0.0, 0),
        (5, 107 / 108, 4.95),  # one unnamed avg_pool among ResNet50's names
        (4, 5 / 6, 3.33),  # one of the identity block's six names wrong
        (4, 7 / 8, 3.5),  # one of the convolutional block's eight
        (0.5, 107 / 108, 0.49),  # rounded, 0.5, but never all while one is wrong
        (0, 0.5, 0),
    ],
)
def test_a_check_earns_its_share_rounded_to_hundredths(points, credit, expected):
    assert earned(points, credit) == expected


@pytest.mark.fast
def test_rescoring_keeps_the_verdict_and_follows_the_table():
    report = GradeReport(
        notebook="n.ipynb",
        checks=(
            CheckResult("f", "layer names", 5, 4.95, "107 of 108", credit=107 / 108),
            CheckResult("f", "training", 5, 5, "fine", visible=False, credit=1.0),
            CheckResult("g", "other", 3, 0, "not in the table", credit=0.0),
        ),
    )
    policy = Policy(
        {
            "f: layer names": Setting(points=10),
            "f: training": Setting(points=0, visible=True),
        }
    )
    names, training, other = rescore(report, policy.apply(TABLE)).checks
    assert (names.points, names.max_points, names.credit) == (9.91, 10, 107 / 108)
    assert names.message == "107 of 108" and not names.passed
    assert (training.points, training.max_points, training.visible) == (0, 0, True)
    assert training.passed  # worth nothing, but right
    assert other == report.checks[2]
    # Back under the table's own points, the first scores are the first again.
    again = rescore(rescore(report, policy.apply(TABLE)), Policy().apply(TABLE))
    assert again.checks[:2] == report.checks[:2]


@pytest.mark.fast
def test_a_check_worth_nothing_still_fails_and_totals_stay_tidy():
    report = GradeReport(
        notebook="n.ipynb",
        checks=(
            CheckResult("f", "a", 0, 0, "wrong", credit=0.0),
            CheckResult("f", "b", 5, 4.95, "1 wrong", credit=107 / 108),
            CheckResult("f", "c", 4, 3.33, "1 wrong", credit=5 / 6),
            CheckResult("f", "d", 0.1, 0.1, "fine"),
            CheckResult("f", "e", 0.2, 0.2, "fine"),
        ),
    )
    assert [check.passed for check in report.checks] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert report.score == 8.58 and report.max_score == 9.3
    # Results stored before checks had a credit read it from their points.
    assert CheckResult("f", "old", 4, 2, "half").fraction == 0.5


@pytest.mark.fast
def test_the_policy_key_names_the_settings_not_their_order():
    one = Policy({"f: a": Setting(points=1), "f: b": Setting(visible=True)})
    two = Policy({"f: b": Setting(visible=True), "f: a": Setting(points=1)})
    assert Policy().key() == ""
    assert one.key() == two.key() != Policy({"f: a": Setting(points=2)}).key()


def test_the_example_file_loads_and_the_guide_shows_it(capsys):
    from grader.commands.cli import main
    from grader.judging.checks import CHECKS

    policy = load_policy(EXAMPLE, CHECKS)
    assert policy.settings["ResNet50: short training run"] == Setting(10, True)
    rows = {f"{r.function}: {r.name}": r for r in policy.apply(CHECKS)}
    assert rows["identity_block: seeded output"].points == 10
    assert rows["ResNet50: short training run"].visible
    assert sum(row.points for row in rows.values()) == 100
    assert main(["points", "--points", str(EXAMPLE)]) == 0
    table = capsys.readouterr().out
    assert "| `ResNet50` | short training run | 10 | yes |" in table
    assert "| | **total** | **100** | |" in table
    guide = (ROOT / "docs" / "points.md").read_text(encoding="utf-8")
    assert EXAMPLE.read_text(encoding="utf-8") in guide


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[identity_block]\n"layer name" = 3\n',
            "identity_block has no check 'layer name'; did you mean 'layer names'?",
        ),
        (
            '[identity_block]\n"speed" = 3\n',
            "identity_block has no check 'speed'; identity_block's checks are "
            "'seeded output', 'layer names', 'layers and settings', "
            "'hidden inputs, inference', 'hidden inputs, training'",
        ),
        (
            '[Resnet50]\n"layer names" = 3\n',
            "no graded function is called 'Resnet50'; did you mean 'ResNet50'?",
        ),
        (
            '"layer names" = 3\n',
            "no graded function is called 'layer names'; the functions are "
            "'identity_block', 'convolutional_block', 'ResNet50'",
        ),
        (
            "ResNet50 = 3\n",
            "[ResNet50] should be a table of that function's "
            'checks, such as "layer names" = 4',
        ),
        (
            '[ResNet50]\n"layer names" = -1\n',
            "ResNet50: layer names: points must be 0 or more, not -1",
        ),
        (
            '[ResNet50]\n"layer names" = "5"\n',
            "ResNet50: layer names: points must be a number, not '5'",
        ),
        (
            '[ResNet50]\n"layer names" = true\n',
            "ResNet50: layer names: points must be a number, not True",
        ),
        (
            '[ResNet50]\n"layer names" = inf\n',
            "ResNet50: layer names: points must be a finite number, not inf",
        ),
        (
            '[ResNet50]\n"layer names" = { visible = 1 }\n',
            "ResNet50: layer names: visible must be true or false, not 1",
        ),
        (
            '[ResNet50]\n"layer names" = { point = 1 }\n',
            "ResNet50: layer names: unknown key 'point'; a check's table takes "
            "points and visible",
        ),
        (
            "[ResNet50\n",
            "not a valid TOML file (Expected ']' at the end of a table "
            "declaration (at line 1, column 10))",
        ),
    ],
)
def test_a_points_file_that_sets_what_no_check_can_have_is_refused(
    tmp_path, capsys, text, message
):
    from grader.commands.cli import main

    path = tmp_path / "points.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["points", "--points", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"grader: error: {path}: {message}\n"
    assert captured.out == ""


def test_points_that_add_up_to_nothing_or_no_file_are_refused(tmp_path):
    from grader.judging.checks import CHECKS
    from grader.reports.points import PointsError

    zero = tmp_path / "zero.toml"
    zero.write_text(
        "\n".join(
            f'[{c.function}]\n"{c.name}" = 0'
            if i == 0 or CHECKS[i - 1].function != c.function
            else f'"{c.name}" = 0'
            for i, c in enumerate(CHECKS)
        ),
        encoding="utf-8",
    )
    with pytest.raises(PointsError, match="the checks add up to 0 points"):
        load_policy(zero, CHECKS)
    with pytest.raises(PointsError, match=r"nope.toml: no such points file$"):
        load_policy(tmp_path / "nope.toml", CHECKS)


def test_a_batch_under_new_points_is_rescored_not_graded_again(tmp_path, capsys):
    from grader.batch import Options, grade_many, grader_version
    from grader.batch.store import Store
    from grader.judging.checks import CHECKS
    from grader.reports.results import SubmissionResult

    # A stored result as a grading left it: kept, so no kernel starts.
    notebook = tmp_path / "subs" / "s1.ipynb"
    notebook.parent.mkdir()
    notebook.write_text("{}", encoding="utf-8")
    checks = tuple(
        CheckResult(c.function, c.name, c.points, c.points, "fine", c.visible, 1.0)
        for c in CHECKS
        if c.name != "layer names" or c.function != "ResNet50"
    ) + (
        CheckResult("ResNet50", "layer names", 5, 4.95, "107 of 108", True, 107 / 108),
    )
    out = tmp_path / "out"
    Store(out).save(
        SubmissionResult(
            student="s1",
            notebook=str(notebook),
            sha256=hashlib.sha256(b"{}").hexdigest(),
            status="graded",
            report=GradeReport(notebook=str(notebook), checks=checks),
            seconds=25.0,
            grader=grader_version(),
            options=Options().key(),
        )
    )
    policy = load_policy(EXAMPLE, CHECKS)
    (result,) = grade_many([notebook.parent], out=out, points=policy)
    assert result.reused and result.seconds == 25.0
    assert result.policy == policy.key() != ""
    assert result.score == 99.95 and result.report.max_score == 100
    training = {c.title: c for c in result.report.checks}[
        "ResNet50: short training run"
    ]
    assert (training.points, training.visible) == (10, True)
    # The store holds the new scores; without --points the table's come back.
    assert Store(out).load("s1").policy == policy.key()
    assert "s1,graded,99.95,100,10,2," in (out / "gradebook.csv").read_text()
    (back,) = grade_many([notebook.parent], out=out)
    assert back.policy == "" and back.report.checks == checks

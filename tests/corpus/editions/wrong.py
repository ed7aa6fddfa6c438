"""The later editions' wrong variants, each as edits of its edition's solution.

A row is one variant: ``(function, old, new)`` text edits of the cells in
its edition's ``solution.py`` (``old`` must be found exactly once in the
cell, as it is then; a fourth element, a count, says how many times it must
be found, every one of them replaced), the function it breaks, and its
verdict: ``fails``, exactly the checks of that function that fail, in the
report's order, and ``says``, words the first one's message holds.
``expect`` says, for people, what is wrong and what a student should read
(``KIND: WHAT (words: ...)``, KIND the sort of check that must fail); the
comment above a row, how a student comes to write it.

``more=True`` rows are the ones the suite leaves out to keep it cheap
(``bench/editions/grade_corpus.py`` grades them); ``corpus.editions`` turns
the rows into variants, named ``EDITION/wrong/NAME`` or ``EDITION/more/NAME``.
"""

from __future__ import annotations

from dataclasses import dataclass

Edit = tuple[str, str, str] | tuple[str, str, str, int]


@dataclass(frozen=True)
class Wrong:
    """One wrong variant of an edition's solution and the verdict it must get."""

    name: str
    function: str
    edits: tuple[Edit, ...]
    fails: tuple[str, ...]
    says: str
    expect: str
    more: bool = False


# --- what the edits change, in both editions' solutions -----------------------

INIT = "kernel_initializer=initializer(seed=0)"
GLOROT = "kernel_initializer=glorot_uniform(seed=0)"
#: The third convolution of each block's main path, up to its initializer.
THIRD_CONV = "Conv2D(filters=F3, kernel_size=1, strides=(1, 1), padding='valid', "
#: The middle convolution's padding and initializer (both blocks have one).
MIDDLE = f"padding='same', {INIT})(X)\n"
SHORTCUT_INPUT = f"{INIT})(X_shortcut)"
ADD = "    X = Add()([X, X_shortcut])\n"
RELU = "    X = Activation('relu')(X)\n"
#: A BatchNormalization of the main path, and of the shortcut, in each edition.
BN_2021 = "    X = BatchNormalization(axis=3)(X, training=training)\n"
BN = "    X = BatchNormalization(axis=3)(X)\n"
SHORTCUT_BN_2021 = (
    "    X_shortcut = BatchNormalization(axis=3)(X_shortcut, training=training)\n"
)
SHORTCUT_BN = "    X_shortcut = BatchNormalization(axis=3)(X_shortcut)\n"
STAGE_4 = "identity_block(X, 3, [256, 256, 1024])"

# --- the edits both editions share --------------------------------------------

SHORTCUT_GLOROT = (
    "convolutional_block",
    SHORTCUT_INPUT,
    SHORTCUT_INPUT.replace(INIT, GLOROT),
)
GLOROT_IN_LAST_TWO = (
    ("convolutional_block", THIRD_CONV + INIT, THIRD_CONV + GLOROT),
    SHORTCUT_GLOROT,
)
SHORTCUT_FROM_MAIN_PATH = (("convolutional_block", SHORTCUT_INPUT, f"{INIT})(X)"),)
SHORTCUT_STRIDE_1 = (
    (
        "convolutional_block",
        "F3, kernel_size=1, strides=(s, s)",
        "F3, kernel_size=1, strides=(1, 1)",
    ),
)
STRIDE_ON_MIDDLE_CONV = (
    (
        "convolutional_block",
        "F1, kernel_size=1, strides=(s, s)",
        "F1, kernel_size=1, strides=(1, 1)",
    ),
    ("convolutional_block", "(f, f), strides=(1, 1)", "(f, f), strides=(s, s)"),
)
INITIALIZER_IGNORED_IN_THIRD_CONV = (
    ("identity_block", THIRD_CONV + INIT, THIRD_CONV.removesuffix(", ")),
)
INITIALIZER_NOT_CALLED = (
    ("identity_block", f"{INIT})", "kernel_initializer=initializer)", 3),
)
GLOROT_EVERYWHERE = (("identity_block", INIT, GLOROT, 3),)
PADDING_VALID_IN_MIDDLE_CONV = (
    ("identity_block", "padding='same'", "padding='valid'"),
)
RELU_BEFORE_ADD = (("identity_block", ADD + RELU, RELU + ADD),)
NO_RELU_AFTER_ADD = (("identity_block", ADD + RELU, ADD),)
MAXPOOL = (("ResNet50", "AveragePooling2D((2, 2))", "MaxPooling2D((2, 2))"),)
FOUR_STAGE_4_BLOCKS = (("ResNet50", f"    X = {STAGE_4}\n\n", "\n"),)
STAGE_4_FILTERS = (
    ("ResNet50", STAGE_4, STAGE_4.replace("[256, 256,", "[256, 128,"), 5),
)
CLASSES_IGNORED = (("ResNet50", "Dense(classes,", "Dense(6,"),)
NO_SOFTMAX = (("ResNet50", "activation='softmax', ", ""),)
INPUT_SHAPE_IGNORED = (("ResNet50", "Input(input_shape)", "Input((64, 64, 3))"),)
STAGE_2_STRIDE_2 = (("ResNet50", "[64, 64, 256], s=1)", "[64, 64, 256], s=2)"),)
STAGE_3_STRIDE_1 = (("ResNet50", "[128, 128, 512], s=2)", "[128, 128, 512], s=1)"),)

# --- verdicts ------------------------------------------------------------------

BLOCK_CHECKS = (
    "seeded output",
    "layers and settings",
    "hidden inputs, inference",
    "hidden inputs, training",
)
"""A block whose output differs: each check that compares outputs fails."""
ARGUMENTS_2021 = ("training argument", "initializer argument")
#: A block that raises: every check fails, with the error.
RAISES_2021 = (*BLOCK_CHECKS[:2], *ARGUMENTS_2021, *BLOCK_CHECKS[2:])
RAISES = (*BLOCK_CHECKS[:2], "initializer argument", *BLOCK_CHECKS[2:])
INITIALIZER = ("initializer argument",)
TRAINING = ("training argument",)
TABLE = ("layer table", "layers and settings")
PARAMETERS = ("parameter counts", *TABLE)
HARD_CODED = ("input_shape and classes",)

SAYS_INITIALIZER_THIRD_CONV = (
    "do not use `initializer` (the third Conv2D of the main path)"
)
SAYS_SHAPES = "Inputs have incompatible shapes"
SAYS_PARAMETERS_4_BLOCKS = "parameters: total 22,478,214, expected 23,600,006"

# The verdicts' descriptions that both editions share.
EXPECT_SHORTCUT_GLOROT = (
    "initializer used: the shortcut's Conv2D ignores the initializer argument "
    "(glorot_uniform(seed=0) written in): outputs differ under a probe initializer "
    "the notebook never shows (words: 'shortcut', 'initializer')"
)
EXPECT_SHORTCUT_WITHOUT_BN = (
    "layers and settings: the shortcut's Conv2D is added without its "
    "BatchNormalization (words: 'shortcut', 'BatchNormalization')"
)
EXPECT_STRIDE_ON_MIDDLE_CONV = (
    "layers and settings: the stride s is on the f x f Conv2D instead of the first "
    "1x1 Conv2D (words: 'stride', 'first Conv2D')"
)
EXPECT_INITIALIZER_IGNORED = (
    "initializer used: the third Conv2D of the main path ignores the initializer "
    "argument (default glorot_uniform): outputs differ under the probe initializer "
    "(words: 'third Conv2D', 'initializer')"
)
EXPECT_INITIALIZER_NOT_CALLED = (
    "initializer used: kernel_initializer is given the initializer factory itself, "
    "not initializer(seed=0): the probe initializer fails or differs "
    "(words: 'initializer', 'seed=0')"
)
EXPECT_NO_RELU_AFTER_ADD = (
    "layers and settings: no ReLU after the Add: negative outputs "
    "(words: 'ReLU', 'after the Add')"
)
EXPECT_MAXPOOL = (
    "layer table: MaxPooling2D where the architecture has AveragePooling2D "
    "(words: 'AveragePooling2D')"
)
EXPECT_FOUR_STAGE_4_BLOCKS = (
    "layer table: stage 4 has four identity blocks instead of five "
    "(words: 'stage 4', 'identity')"
)
EXPECT_GLOROT_IN_LAST_TWO = (
    "initializer used: the third Conv2D and the shortcut's Conv2D use "
    "glorot_uniform(seed=0) whatever initializer is passed; the public test "
    "(default initializer) cannot see it (words: 'third Conv2D', 'shortcut', "
    "'initializer')"
)
EXPECT_SHORTCUT_FROM_MAIN_PATH = (
    "layers and settings: the shortcut convolves the main path's output instead of "
    "the block's input (words: 'shortcut', 'input')"
)
EXPECT_SHORTCUT_STRIDE_1 = (
    "layers and settings: the shortcut's Conv2D has stride 1: the two paths' shapes "
    "differ whenever s > 1, so the block raises at its Add: every check gives that "
    "error with both shapes and the line (words: 'incompatible shapes', 'X_shortcut')"
)
EXPECT_ADD_BEFORE_BN = (
    "layers and settings: the shortcut is added before the third "
    "BatchNormalization, not after it (words: 'BatchNormalization', 'Add')"
)
EXPECT_GLOROT_EVERYWHERE = (
    "initializer used: every Conv2D uses glorot_uniform(seed=0) whatever "
    "initializer is passed: outputs differ under the test's constant initializer "
    "(words: 'initializer')"
)
EXPECT_PADDING_VALID = (
    "layers and settings: the middle Conv2D pads 'valid', expected 'same': the main "
    "path shrinks and cannot be added to the input, so the block raises at its Add: "
    "every check gives that error with both shapes and the line "
    "(words: 'incompatible shapes', 'Add')"
)
EXPECT_RELU_BEFORE_ADD = (
    "layers and settings: a ReLU after the third BatchNormalization and none after "
    "the Add (words: 'ReLU', 'Add')"
)
EXPECT_CLASSES_IGNORED = (
    "nothing hard-coded: the Dense layer has 6 units whatever classes is "
    "(words: 'classes')"
)
EXPECT_NO_SOFTMAX = (
    "softmax output: the Dense layer has no softmax activation, so the outputs are "
    "not probabilities; 'layers and settings' names the Dense layer's activation "
    "(the layer table does not fail) (words: 'softmax', 'last layer')"
)
EXPECT_INPUT_SHAPE_IGNORED = (
    "nothing hard-coded: the Input is (64, 64, 3) whatever input_shape is "
    "(words: 'input_shape')"
)
EXPECT_STAGE_2_STRIDE_2 = (
    "every check: stage 2's convolutional_block uses s=2: every later shape is "
    "halved, so at 64x64 the AveragePooling2D gets a 1x1 input and ResNet50 cannot "
    "be built; each check says so, with the line "
    "(words: 'AveragePooling2D', 'zero or negative')"
)
EXPECT_STAGE_3_STRIDE_1 = (
    "layer table: stage 3's convolutional_block uses s=1: wrong output shapes from "
    "stage 3 on and 23,636,870 parameters instead of 23,600,006 (24,189,830 is s=1 "
    "in stages 3 to 5); the short training run fails too "
    "(words: 'parameters', '23,636,870')"
)
EXPECT_STAGE_4_FILTERS = (
    "layer table: stage 4's identity blocks use filters [256, 128, 1024]: wrong "
    "parameter counts (words: 'stage 4', 'filters')"
)

# ResNet50's rows the suite leaves out, the same in both editions.
RESNET_MORE = (
    # Wrote the number of SIGNS classes in.
    Wrong(
        "resnet-classes-ignored",
        "ResNet50",
        CLASSES_IGNORED,
        HARD_CODED,
        "ResNet50 ignores `classes`",
        EXPECT_CLASSES_IGNORED,
        more=True,
    ),
    # Left the activation off the output layer.
    Wrong(
        "resnet-dense-without-softmax",
        "ResNet50",
        NO_SOFTMAX,
        ("softmax output", "layers and settings", "short training run"),
        "the last layer should use a softmax activation",
        EXPECT_NO_SOFTMAX,
        more=True,
    ),
    # Wrote the SIGNS image shape in.
    Wrong(
        "resnet-input-shape-ignored",
        "ResNet50",
        INPUT_SHAPE_IGNORED,
        HARD_CODED,
        "ResNet50 ignores `input_shape`",
        EXPECT_INPUT_SHAPE_IGNORED,
        more=True,
    ),
    # Used the default stride for every convolutional block.
    Wrong(
        "resnet-stage2-stride-2",
        "ResNet50",
        STAGE_2_STRIDE_2,
        ("parameter counts", "softmax output", *TABLE, "short training run"),
        "AveragePooling2D: Computed output size would be zero or negative",
        EXPECT_STAGE_2_STRIDE_2,
        more=True,
    ),
    # Copied s=1 from stage 2.
    Wrong(
        "resnet-stage3-stride-1",
        "ResNet50",
        STAGE_3_STRIDE_1,
        (*PARAMETERS, "short training run"),
        "parameters: total 23,636,870, expected 23,600,006",
        EXPECT_STAGE_3_STRIDE_1,
        more=True,
    ),
    # A typo in the middle filter count of the stage-4 identity blocks.
    Wrong(
        "resnet-stage4-wrong-filters",
        "ResNet50",
        STAGE_4_FILTERS,
        PARAMETERS,
        "parameters: total",
        EXPECT_STAGE_4_FILTERS,
        more=True,
    ),
)

# ResNet50's rows in the suite, the same in both editions.
RESNET_WRONG = (
    # Used the other pooling layer the notebook imports.
    Wrong(
        "resnet-maxpool-instead-of-avgpool",
        "ResNet50",
        MAXPOOL,
        TABLE,
        "the reference applies AveragePooling2D; yours applies MaxPooling2D",
        EXPECT_MAXPOOL,
    ),
    # Lost one of the five stage-4 lines.
    Wrong(
        "resnet-stage4-four-identity-blocks",
        "ResNet50",
        FOUR_STAGE_4_BLOCKS,
        PARAMETERS,
        SAYS_PARAMETERS_4_BLOCKS,
        EXPECT_FOUR_STAGE_4_BLOCKS,
    ),
)

# --- the 2021 edition: BatchNormalization gets `training` -------------------------

EDITION_2021 = (
    # Copied the stem's glorot_uniform(seed=0) into the shortcut line; the public test,
    # which uses the default, cannot see it.
    Wrong(
        "conv-shortcut-glorot-hard-coded",
        "convolutional_block",
        (SHORTCUT_GLOROT,),
        INITIALIZER,
        "do not use `initializer` (the Conv2D of the shortcut)",
        EXPECT_SHORTCUT_GLOROT,
    ),
    # Forgot the second line of the shortcut path.
    Wrong(
        "conv-shortcut-without-batchnorm",
        "convolutional_block",
        (("convolutional_block", SHORTCUT_BN_2021, ""),),
        BLOCK_CHECKS,
        "after the Conv2D of the shortcut the reference applies BatchNormalization",
        EXPECT_SHORTCUT_WITHOUT_BN,
    ),
    # Put the downsampling on the middle convolution, as some ResNet write-ups do.
    Wrong(
        "conv-stride-on-middle-conv",
        "convolutional_block",
        STRIDE_ON_MIDDLE_CONV,
        BLOCK_CHECKS,
        "the first Conv2D of the main path: strides (1, 1), expected (2, 2)",
        EXPECT_STRIDE_ON_MIDDLE_CONV,
    ),
    # Set training=False to make the printed values match, in the three main-path lines.
    Wrong(
        "conv-training-false-hard-coded",
        "convolutional_block",
        (
            (
                "convolutional_block",
                "(X, training=training)",
                "(X, training=False)",
                3,
            ),
        ),
        TRAINING,
        "have training=False hard-coded (the first BatchNormalization of the main "
        "path)",
        "training reaches every BatchNormalization: training=False written into the "
        "main path's BatchNormalizations: training-mode outputs are the inference "
        "ones (words: 'training', 'hard-coded')",
    ),
    # The shortcut's batch norm was written from the 2020 notebook.
    Wrong(
        "conv-training-not-forwarded-to-shortcut-bn",
        "convolutional_block",
        (("convolutional_block", "(X_shortcut, training=training)", "(X_shortcut)"),),
        TRAINING,
        "do not get `training` (the BatchNormalization of the shortcut)",
        "training reaches every BatchNormalization: training not forwarded to the "
        "shortcut's BatchNormalization (words: 'training', 'shortcut')",
    ),
    # Left kernel_initializer off the last convolution.
    Wrong(
        "identity-initializer-ignored-in-third-conv",
        "identity_block",
        INITIALIZER_IGNORED_IN_THIRD_CONV,
        INITIALIZER,
        SAYS_INITIALIZER_THIRD_CONV,
        EXPECT_INITIALIZER_IGNORED,
    ),
    # Passed initializer instead of calling it, in every convolution.
    Wrong(
        "identity-initializer-not-called",
        "identity_block",
        INITIALIZER_NOT_CALLED,
        RAISES_2021,
        "`initializer` makes an initializer, it is not one",
        EXPECT_INITIALIZER_NOT_CALLED,
    ),
    # Returned the sum without the final activation.
    Wrong(
        "identity-no-relu-after-add",
        "identity_block",
        NO_RELU_AFTER_ADD,
        BLOCK_CHECKS,
        "the reference applies a ReLU; yours has nothing there",
        EXPECT_NO_RELU_AFTER_ADD,
    ),
    # Wrote training=True instead of the argument.
    Wrong(
        "identity-training-hard-coded-true",
        "identity_block",
        (("identity_block", "training=training)", "training=True)", 3),),
        TRAINING,
        "have training=True hard-coded",
        "training reaches every BatchNormalization: training=True written into every "
        "BatchNormalization: inference-mode outputs use batch statistics "
        "(words: 'training', 'hard-coded')",
    ),
    # Wrote the second batch norm without (X, training=training).
    Wrong(
        "identity-training-not-forwarded-to-second-bn",
        "identity_block",
        (("identity_block", MIDDLE + BN_2021, MIDDLE + BN),),
        TRAINING,
        "do not get `training` (the second BatchNormalization of the main path)",
        "training reaches every BatchNormalization: training not forwarded to the "
        "second BatchNormalization: its output in training mode is the inference one "
        "(words: 'training', 'second BatchNormalization')",
    ),
    *RESNET_WRONG,
    # Seen in a public copy whose saved test output says 'All tests passed!':
    # glorot_uniform(seed=0) written into the last two convolutions.
    Wrong(
        "conv-glorot-hard-coded-in-last-two",
        "convolutional_block",
        GLOROT_IN_LAST_TWO,
        INITIALIZER,
        SAYS_INITIALIZER_THIRD_CONV,
        EXPECT_GLOROT_IN_LAST_TWO,
        more=True,
    ),
    # Did not keep X_shortcut = X; used X after the main path.
    Wrong(
        "conv-shortcut-from-main-path",
        "convolutional_block",
        SHORTCUT_FROM_MAIN_PATH,
        BLOCK_CHECKS,
        "after the input the reference applies Conv2D",
        EXPECT_SHORTCUT_FROM_MAIN_PATH,
        more=True,
    ),
    # Wrote strides=(1, 1) on the shortcut convolution.
    Wrong(
        "conv-shortcut-stride-1",
        "convolutional_block",
        SHORTCUT_STRIDE_1,
        RAISES_2021,
        SAYS_SHAPES,
        EXPECT_SHORTCUT_STRIDE_1,
        more=True,
    ),
    # Added the shortcut straight after the third convolution and normalized the sum.
    Wrong(
        "identity-add-before-batchnorm",
        "identity_block",
        (("identity_block", f"{BN_2021}\n{ADD}", ADD + BN_2021),),
        BLOCK_CHECKS,
        "after the third Conv2D of the main path the reference applies "
        "BatchNormalization",
        EXPECT_ADD_BEFORE_BN,
        more=True,
    ),
    # Kept glorot_uniform from an older copy of the notebook instead of the argument.
    Wrong(
        "identity-glorot-hard-coded",
        "identity_block",
        GLOROT_EVERYWHERE,
        INITIALIZER,
        "3 of 3 Conv2D layers do not use `initializer`",
        EXPECT_GLOROT_EVERYWHERE,
        more=True,
    ),
    # Copied padding='valid' from the first convolution to the f x f one.
    Wrong(
        "identity-padding-valid-in-middle-conv",
        "identity_block",
        PADDING_VALID_IN_MIDDLE_CONV,
        RAISES_2021,
        SAYS_SHAPES,
        EXPECT_PADDING_VALID,
        more=True,
    ),
    # Kept the three-line pattern conv / batch norm / ReLU for the last component too,
    # and added afterwards.
    Wrong(
        "identity-relu-before-add",
        "identity_block",
        RELU_BEFORE_ADD,
        BLOCK_CHECKS,
        "yours applies a ReLU; the reference adds the shortcut",
        EXPECT_RELU_BEFORE_ADD,
        more=True,
    ),
    # Seen in a public copy: batch norms written from the Keras documentation, without
    # training=training.
    Wrong(
        "identity-training-never-forwarded",
        "identity_block",
        (
            (
                "identity_block",
                "BatchNormalization(axis=3)(X, training=training)",
                "BatchNormalization(axis=3, momentum=0.99, epsilon=0.001)(X)",
                3,
            ),
        ),
        TRAINING,
        "3 of 3 BatchNormalization layers do not get `training`",
        "training reaches every BatchNormalization: no BatchNormalization receives "
        "training (all three called bare, with momentum and epsilon spelled out): the "
        "block runs in inference whatever training says "
        "(words: 'training', 'BatchNormalization')",
        more=True,
    ),
    *RESNET_MORE,
)

# --- the later revision: BatchNormalization called bare ---------------------------

INITIALIZER_ONLY = (
    # Seen in a public copy whose saved test output says 'All tests passed!':
    # glorot_uniform(seed=0) written into the last two convolutions.
    Wrong(
        "conv-glorot-hard-coded-in-last-two",
        "convolutional_block",
        GLOROT_IN_LAST_TWO,
        INITIALIZER,
        SAYS_INITIALIZER_THIRD_CONV,
        EXPECT_GLOROT_IN_LAST_TWO,
    ),
    # Froze the shortcut's batch norm to make a printed value match.
    Wrong(
        "conv-shortcut-bn-training-false",
        "convolutional_block",
        (
            (
                "convolutional_block",
                "(axis=3)(X_shortcut)",
                "(axis=3)(X_shortcut, training=False)",
            ),
        ),
        ("hidden inputs, training",),
        "have training=False hard-coded (the BatchNormalization of the shortcut)",
        "both modes: training=False written into the shortcut's BatchNormalization: "
        "in training mode it still uses moving statistics (Keras 3 lets a model's "
        "mode override it, so the grader reads the call's argument) "
        "(words: 'training=False hard-coded', 'shortcut')",
    ),
    # Did not keep X_shortcut = X; used X after the main path.
    Wrong(
        "conv-shortcut-from-main-path",
        "convolutional_block",
        SHORTCUT_FROM_MAIN_PATH,
        BLOCK_CHECKS,
        "after the input the reference applies Conv2D",
        EXPECT_SHORTCUT_FROM_MAIN_PATH,
    ),
    # Wrote strides=(1, 1) on the shortcut convolution.
    Wrong(
        "conv-shortcut-stride-1",
        "convolutional_block",
        SHORTCUT_STRIDE_1,
        RAISES,
        SAYS_SHAPES,
        EXPECT_SHORTCUT_STRIDE_1,
    ),
    # Put the downsampling on the middle convolution, as some ResNet write-ups do.
    Wrong(
        "conv-stride-on-middle-conv",
        "convolutional_block",
        STRIDE_ON_MIDDLE_CONV,
        BLOCK_CHECKS,
        "the first Conv2D of the main path: strides (1, 1), expected (2, 2)",
        EXPECT_STRIDE_ON_MIDDLE_CONV,
    ),
    # Left kernel_initializer off the last convolution.
    Wrong(
        "identity-initializer-ignored-in-third-conv",
        "identity_block",
        INITIALIZER_IGNORED_IN_THIRD_CONV,
        INITIALIZER,
        SAYS_INITIALIZER_THIRD_CONV,
        EXPECT_INITIALIZER_IGNORED,
    ),
    # Passed initializer instead of calling it, in every convolution.
    Wrong(
        "identity-initializer-not-called",
        "identity_block",
        INITIALIZER_NOT_CALLED,
        RAISES,
        "`initializer` makes an initializer, it is not one",
        EXPECT_INITIALIZER_NOT_CALLED,
    ),
    # Copied padding='valid' from the first convolution to the f x f one.
    Wrong(
        "identity-padding-valid-in-middle-conv",
        "identity_block",
        PADDING_VALID_IN_MIDDLE_CONV,
        RAISES,
        SAYS_SHAPES,
        EXPECT_PADDING_VALID,
    ),
    # Kept the three-line pattern conv / batch norm / ReLU for the last component too,
    # and added afterwards.
    Wrong(
        "identity-relu-before-add",
        "identity_block",
        RELU_BEFORE_ADD,
        BLOCK_CHECKS,
        "yours applies a ReLU; the reference adds the shortcut",
        EXPECT_RELU_BEFORE_ADD,
    ),
    # Added training=True to the batch norms, as the 2021 notebook shows.
    Wrong(
        "identity-training-true-hard-coded",
        "identity_block",
        (("identity_block", "(axis=3)(X)", "(axis=3)(X, training=True)", 3),),
        ("hidden inputs, inference",),
        "have training=True hard-coded",
        "both modes: training=True written into every BatchNormalization: the block "
        "ignores the mode it is called in (words: 'training', 'hard-coded')",
    ),
    *RESNET_WRONG,
    # Copied the stem's glorot_uniform(seed=0) into the shortcut line; the public test,
    # which uses the default, cannot see it.
    Wrong(
        "conv-shortcut-glorot-hard-coded",
        "convolutional_block",
        (SHORTCUT_GLOROT,),
        INITIALIZER,
        "do not use `initializer` (the Conv2D of the shortcut)",
        EXPECT_SHORTCUT_GLOROT,
        more=True,
    ),
    # Forgot the second line of the shortcut path.
    Wrong(
        "conv-shortcut-without-batchnorm",
        "convolutional_block",
        (("convolutional_block", SHORTCUT_BN, ""),),
        BLOCK_CHECKS,
        "after the Conv2D of the shortcut the reference applies BatchNormalization",
        EXPECT_SHORTCUT_WITHOUT_BN,
        more=True,
    ),
    # Added the shortcut straight after the third convolution and normalized the sum.
    Wrong(
        "identity-add-before-batchnorm",
        "identity_block",
        (("identity_block", f"{BN}\n{ADD}", ADD + BN),),
        BLOCK_CHECKS,
        "after the third Conv2D of the main path the reference applies "
        "BatchNormalization",
        EXPECT_ADD_BEFORE_BN,
        more=True,
    ),
    # Kept glorot_uniform from an older copy of the notebook instead of the argument.
    Wrong(
        "identity-glorot-hard-coded",
        "identity_block",
        GLOROT_EVERYWHERE,
        INITIALIZER,
        "3 of 3 Conv2D layers do not use `initializer`",
        EXPECT_GLOROT_EVERYWHERE,
        more=True,
    ),
    # Returned the sum without the final activation.
    Wrong(
        "identity-no-relu-after-add",
        "identity_block",
        NO_RELU_AFTER_ADD,
        BLOCK_CHECKS,
        "the reference applies a ReLU; yours has nothing there",
        EXPECT_NO_RELU_AFTER_ADD,
        more=True,
    ),
    *RESNET_MORE,
)

WRONG: dict[str, tuple[Wrong, ...]] = {
    "2021": EDITION_2021,
    "2021-initializer-only": INITIALIZER_ONLY,
}
"""Each later edition's wrong variants (its folder's name)."""

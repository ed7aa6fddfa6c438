"""Wrong solutions with known verdicts, one row each.

A row is a small edit of the solution: ``(function, old, new)`` text
replacements, the graded function it breaks, and, for every check that must
fail, words its message must contain (the layer or argument at fault). Every
other check of that function must pass. A failed check earns nothing but a
names check whose layers are all there, misnamed or unnamed, which earns the
share of names that are right: its words start with how many ("5 of 6 names
right: ..."), and the test holds its points to that share. A names check
that finds a layer missing ("no layer named ...") earns nothing. Blocks are
graded with all their checks; ``ResNet50`` rows whose mistake shows in the
visible checks are graded with those only (``hidden=False``), which is enough
to prove the lost points.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ID_BN_2B = "X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)"
ID_BN_2C = "    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)\n"
ID_TAIL = "    X = Add()([X, X_shortcut])\n    X = Activation('relu')(X)\n    ### END"
CONV_2A = "X = Conv2D(F1, (1, 1), strides=(s, s), padding='valid', name=conv_name_base"
CONV_2B = "X = Conv2D(F2, (f, f), strides=(1, 1), padding='same', name=conv_name_base"
SHORTCUT = "X_shortcut = Conv2D(F3, (1, 1), strides=(s, s), padding='valid', name="
SHORTCUT_BN = (
    "    X_shortcut = BatchNormalization(axis=3, name=bn_name_base + '1')(X_shortcut)\n"
)
STAGE_3_D = "    X = identity_block(X, 3, [128, 128, 512], stage=3, block='d')\n"

# Parameters of one stage-4 identity block (rows res4f_* and bn4f_* of the
# assignment's table) and of the four shortcut BatchNorms (4 per channel).
STAGE4_BLOCK = 262_400 + 1_024 + 590_080 + 1_024 + 263_168 + 4_096
SHORTCUT_BNS = 4 * (256 + 512 + 1024 + 2048)

HARD_CODED = "make sure none of them is hard-coded"
AFTER_EXAMPLE = "fix what 'layers and settings' reports first"
HIDDEN = ("hidden inputs, inference", "hidden inputs, training")


@dataclass(frozen=True)
class Wrong:
    """One wrong solution and the verdict it must get."""

    name: str
    function: str
    edits: tuple[tuple[str, str, str], ...]
    fails: dict[str, str] = field(hash=False)
    hidden: bool = True


def _hidden(words: str) -> dict[str, str]:
    return dict.fromkeys(HIDDEN, words)


WRONG = (
    # --- identity_block -------------------------------------------------------
    Wrong(
        "identity-batchnorm-on-wrong-axis",
        "identity_block",
        (("identity_block", ID_BN_2B, ID_BN_2B.replace("axis=3", "axis=1")),),
        {
            "layers and settings": "bn1a_branch2b normalizes axis 1, "
            "expected the channels axis (3)",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    Wrong(
        "identity-without-final-relu",
        "identity_block",
        (("identity_block", ID_TAIL, "    X = Add()([X, X_shortcut])\n    ### END"),),
        {
            "seeded output": "expected [0.94822985",
            "layers and settings": "after the Add of bn1a_branch2c and the input "
            "the reference applies a ReLU; yours has nothing there",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    Wrong(
        "identity-relu-before-add",
        "identity_block",
        (("identity_block", ID_BN_2C, ID_BN_2C + "    X = Activation('relu')(X)\n"),),
        {
            "seeded output": "after bn1a_branch2c yours applies a ReLU; "
            "the reference adds the shortcut",
            "layers and settings": "after bn1a_branch2c yours applies a ReLU",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    Wrong(
        "identity-kernel-size-hard-coded",
        "identity_block",
        (("identity_block", "kernel_size=(f, f)", "kernel_size=(3, 3)"),),
        {
            "seeded output": "res1a_branch2b: kernel_size (3, 3), expected (2, 2)",
            "layers and settings": "res1a_branch2b: kernel_size (3, 3), "
            "expected (2, 2)",
            # the hidden inputs use f=3, so (3, 3) passes them
        },
    ),
    Wrong(
        "identity-valid-padding-on-the-fxf-conv",
        "identity_block",
        (
            (
                "identity_block",
                "strides=(1, 1), padding='same'",
                "strides=(1, 1), padding='valid'",
            ),
        ),
        dict.fromkeys(
            ("seeded output", "layer names", "layers and settings", *HIDDEN),
            "identity_block raised ValueError",
        ),
    ),
    Wrong(
        "identity-swapped-filters",
        "identity_block",
        (("identity_block", "X = Conv2D(filters=F2,", "X = Conv2D(filters=F1,"),),
        {
            "seeded output": "res1a_branch2b: filters 2, expected 4",
            "layers and settings": "res1a_branch2b: output shape (None, 4, 4, 2), "
            "expected (None, 4, 4, 4); res1a_branch2b: filters 2, expected 4",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    Wrong(
        "identity-name-off-by-one-letter",
        "identity_block",
        (("identity_block", ID_BN_2B, ID_BN_2B.replace("'2b'", "'2d'")),),
        {
            "layer names": "5 of 6 names right: the layer in bn1a_branch2b's "
            "place is named bn1a_branch2d"
        },
    ),
    Wrong(
        "identity-right-for-the-seeded-input-only",
        "identity_block",
        (
            (
                "identity_block",
                "kernel_size=(f, f)",
                "kernel_size=(f, f) if stage == 1 else (1, 1)",
            ),
        ),
        _hidden(HARD_CODED),
    ),
    Wrong(
        "identity-shortcut-from-the-wrong-tensor",
        "identity_block",
        (("identity_block", "X = Add()([X, X_shortcut])", "X = Add()([X, X])"),),
        {
            "seeded output": "the Add of bn1a_branch2c and the input: takes "
            "bn1a_branch2c and bn1a_branch2c",
            "layers and settings": "takes bn1a_branch2c and bn1a_branch2c, "
            "expected bn1a_branch2c and the input",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    Wrong(
        "identity-without-the-middle-batchnorm",
        "identity_block",
        (("identity_block", f"    {ID_BN_2B}\n", ""),),
        {
            "seeded output": "after res1a_branch2b the reference applies "
            "BatchNormalization (bn1a_branch2b); yours applies a ReLU",
            "layer names": "no layer named bn1a_branch2b",
            "layers and settings": "after res1a_branch2b the reference applies "
            "BatchNormalization (bn1a_branch2b); yours applies a ReLU",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    # --- convolutional_block ----------------------------------------------------
    Wrong(
        "convolutional-stride-on-the-fxf-conv",
        "convolutional_block",
        (
            ("convolutional_block", CONV_2A, CONV_2A.replace("(s, s)", "(1, 1)")),
            ("convolutional_block", CONV_2B, CONV_2B.replace("(1, 1)", "(s, s)")),
        ),
        {
            "seeded output": "res1a_branch2a: strides (1, 1), expected (2, 2)",
            "layers and settings": "res1a_branch2a: output shape (None, 4, 4, 2), "
            "expected (None, 2, 2, 2); res1a_branch2a: strides (1, 1), "
            "expected (2, 2); res1a_branch2b: strides (2, 2), expected (1, 1)",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    Wrong(
        "convolutional-s-ignored",
        "convolutional_block",
        (
            ("convolutional_block", CONV_2A, CONV_2A.replace("(s, s)", "(2, 2)")),
            ("convolutional_block", SHORTCUT, SHORTCUT.replace("(s, s)", "(2, 2)")),
        ),
        _hidden(HARD_CODED),
    ),
    Wrong(
        "convolutional-3x3-shortcut",
        "convolutional_block",
        (
            (
                "convolutional_block",
                SHORTCUT,
                SHORTCUT.replace("(1, 1)", "(3, 3)").replace("valid", "same"),
            ),
        ),
        {
            "seeded output": "res1a_branch1: kernel_size (3, 3), expected (1, 1)",
            "layers and settings": "res1a_branch1: kernel_size (3, 3), expected (1, 1)",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    Wrong(
        "convolutional-shortcut-from-the-main-path",
        "convolutional_block",
        (
            (
                "convolutional_block",
                "glorot_uniform(seed=0))(X_shortcut)",
                "glorot_uniform(seed=0))(X)",
            ),
        ),
        {
            # Keras broadcasts the 1x1 shortcut onto the 2x2 main path.
            "seeded output": "res1a_branch1: takes bn1a_branch2c, expected the input",
            "layers and settings": "res1a_branch1: takes bn1a_branch2c, "
            "expected the input",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    Wrong(
        "convolutional-shortcut-without-batchnorm",
        "convolutional_block",
        (("convolutional_block", SHORTCUT_BN, ""),),
        {
            "seeded output": "after res1a_branch1 the reference applies "
            "BatchNormalization (bn1a_branch1); yours adds the shortcut",
            "layer names": "no layer named bn1a_branch1",
            "layers and settings": "after res1a_branch1 the reference applies "
            "BatchNormalization (bn1a_branch1); yours adds the shortcut",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    Wrong(
        "convolutional-relu-on-the-shortcut",
        "convolutional_block",
        (
            (
                "convolutional_block",
                SHORTCUT_BN,
                SHORTCUT_BN + "    X_shortcut = Activation('relu')(X_shortcut)\n",
            ),
        ),
        {
            "seeded output": "after bn1a_branch1 yours applies a ReLU; "
            "the reference adds the shortcut",
            "layers and settings": "after bn1a_branch1 yours applies a ReLU",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    Wrong(
        "convolutional-shortcut-batchnorm-on-axis-2",
        "convolutional_block",
        (("convolutional_block", SHORTCUT_BN, SHORTCUT_BN.replace("=3", "=2")),),
        {
            "layers and settings": "bn1a_branch1 normalizes axis 2, "
            "expected the channels axis (3)",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    Wrong(
        "convolutional-swapped-filters",
        "convolutional_block",
        (("convolutional_block", "X = Conv2D(F2, (f, f)", "X = Conv2D(F1, (f, f)"),),
        {
            "seeded output": "res1a_branch2b: filters 2, expected 4",
            "layers and settings": "res1a_branch2b: filters 2, expected 4",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    Wrong(
        "convolutional-name-off-by-one-letter",
        "convolutional_block",
        (
            (
                "convolutional_block",
                "name=conv_name_base + '1',",
                "name=conv_name_base + 'l',",
            ),
        ),
        {
            "layer names": "7 of 8 names right: the layer in res1a_branch1's "
            "place is named res1a_branchl"
        },
    ),
    Wrong(
        "convolutional-shortcut-without-stride",
        "convolutional_block",
        (("convolutional_block", SHORTCUT, SHORTCUT.replace("(s, s)", "(1, 1)")),),
        dict.fromkeys(
            ("seeded output", "layer names", "layers and settings", *HIDDEN),
            "convolutional_block raised ValueError",
        ),
    ),
    Wrong(
        "convolutional-without-the-last-batchnorm",
        "convolutional_block",
        (
            (
                "convolutional_block",
                "    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)\n",
                "",
            ),
        ),
        {
            "seeded output": "after res1a_branch2c the reference applies "
            "BatchNormalization (bn1a_branch2c); yours adds the shortcut",
            "layer names": "no layer named bn1a_branch2c",
            "layers and settings": "after res1a_branch2c the reference applies "
            "BatchNormalization (bn1a_branch2c); yours adds the shortcut",
            **_hidden(AFTER_EXAMPLE),
        },
    ),
    # --- ResNet50 -------------------------------------------------------------
    Wrong(
        "resnet-without-zero-padding",
        "ResNet50",
        (("ResNet50", "X = ZeroPadding2D((3, 3))(X_input)", "X = X_input"),),
        {
            "layer table": "after the input the reference applies ZeroPadding2D; "
            "yours applies Conv2D (conv1)",
            "layers and settings": "after the input the reference applies "
            "ZeroPadding2D; yours applies Conv2D (conv1)",
        },
        hidden=False,
    ),
    Wrong(
        "resnet-dense-without-softmax",
        "ResNet50",
        (("ResNet50", "activation='softmax', ", ""),),
        {
            "softmax output": "the last layer should use a softmax activation",
            "layers and settings": "fc6: activation 'linear', expected 'softmax'",
        },
        hidden=False,
    ),
    Wrong(
        "resnet-classes-hard-coded",
        "ResNet50",
        (("ResNet50", "X = Dense(classes,", "X = Dense(6,"),),
        {
            "input_shape and classes": "ResNet50 ignores `classes`: built with "
            "classes=10, the last layer has 6 units"
        },
    ),
    Wrong(
        "resnet-input-shape-hard-coded",
        "ResNet50",
        (("ResNet50", "Input(input_shape)", "Input((64, 64, 3))"),),
        {"input_shape and classes": "ResNet50 ignores `input_shape`"},
    ),
    Wrong(
        "resnet-wrong-average-pool-size",
        "ResNet50",
        (
            (
                "ResNet50",
                "pool_size=(2, 2), name='avg_pool'",
                "pool_size=(1, 1), name='avg_pool'",
            ),
        ),
        {
            "parameter counts": "total 23,636,870, expected 23,600,006",
            "layer table": "avg_pool: output shape (None, 2, 2, 2048), "
            "expected (None, 1, 1, 2048)",
            "layers and settings": "avg_pool: pool_size (1, 1), expected (2, 2)",
        },
        hidden=False,
    ),
    Wrong(
        "resnet-wrong-max-pool-stride",
        "ResNet50",
        (
            (
                "ResNet50",
                "MaxPooling2D((3, 3), strides=(2, 2))",
                "MaxPooling2D((3, 3), strides=(1, 1))",
            ),
        ),
        {
            "parameter counts": "expected 23,600,006",
            "layer table": "the MaxPooling2D after the ReLU after bn_conv1: output "
            "shape (None, 30, 30, 64), expected (None, 15, 15, 64)",
            "layers and settings": "strides (1, 1), expected (2, 2)",
        },
        hidden=False,
    ),
    Wrong(
        "resnet-stage-4-missing-a-block",
        "ResNet50",
        (
            (
                "ResNet50",
                "    X = identity_block(X, 3, [256, 256, 1024], stage=4, block='f')\n",
                "",
            ),
        ),
        {
            "parameter counts": f"total {23_600_006 - STAGE4_BLOCK:,}, "
            "expected 23,600,006",
            "layer names": "no layer named res4f_branch2a",
            "layer table": "after the ReLU after the Add of a ReLU and "
            "bn4e_branch2c the reference applies Conv2D (res4f_branch2a); yours "
            "applies Conv2D (res5a_branch2a) and Conv2D (res5a_branch1)",
            "layers and settings": "res4f_branch2a",
        },
        hidden=False,
    ),
    Wrong(
        "resnet-stage-3-extra-block",
        "ResNet50",
        (
            (
                "ResNet50",
                STAGE_3_D,
                STAGE_3_D + STAGE_3_D.replace("'d'", "'e'"),
            ),
        ),
        {
            "parameter counts": "expected 23,600,006",
            "layer table": "after the ReLU after the Add of a ReLU and bn3d_branch2c "
            "yours applies Conv2D (res3e_branch2a); the reference applies Conv2D "
            "(res4a_branch2a) and Conv2D (res4a_branch1)",
            "layers and settings": "yours applies Conv2D (res3e_branch2a)",
        },
        hidden=False,
    ),
    Wrong(
        "resnet-stage-5-blocks-named-c-and-d",
        "ResNet50",
        (
            ("ResNet50", "stage=5, block='c'", "stage=5, block='d'"),
            ("ResNet50", "stage=5, block='b'", "stage=5, block='c'"),
        ),
        {
            "layer names": "96 of 108 names right: the layer in "
            "res5b_branch2a's place is named res5c_branch2a"
        },
        hidden=False,
    ),
    Wrong(
        "resnet-stride-1-in-every-stage",
        "ResNet50",
        tuple(
            (
                "ResNet50",
                f"stage={stage}, block='a', s=2",
                f"stage={stage}, block='a', s=1",
            )
            for stage in (3, 4, 5)
        ),
        {
            "parameter counts": "total 24,189,830, expected 23,600,006",
            "layer table": "res3a_branch2a: output shape (None, 15, 15, 128), "
            "expected (None, 8, 8, 128)",
            "layers and settings": "res3a_branch2a: strides (1, 1), expected (2, 2)",
        },
        hidden=False,
    ),
    Wrong(
        "resnet-swapped-filters",
        "ResNet50",
        (
            (
                "ResNet50",
                "[128, 128, 512], stage=3, block='b'",
                "[128, 512, 128], stage=3, block='b'",
            ),
        ),
        dict.fromkeys(
            (
                "parameter counts",
                "softmax output",
                "layer table",
                "layer names",
                "layers and settings",
            ),
            "in ResNet50, line",
        ),
        hidden=False,
    ),
    Wrong(
        "resnet-wrong-f-in-stage-3",
        "ResNet50",
        (
            (
                "ResNet50",
                "identity_block(X, 3, [128, 128, 512], stage=3, block='b')",
                "identity_block(X, 2, [128, 128, 512], stage=3, block='b')",
            ),
        ),
        {
            "parameter counts": "expected 23,600,006",
            "layer table": "res3b_branch2b: 65,664 parameters, expected 147,584",
            "layers and settings": "res3b_branch2b: kernel_size (2, 2), "
            "expected (3, 3)",
        },
        hidden=False,
    ),
    Wrong(
        "resnet-pool-name-off-by-one-letter",
        "ResNet50",
        (("ResNet50", "name='avg_pool'", "name='avg_pol'"),),
        {
            "layer names": "107 of 108 names right: the layer in avg_pool's "
            "place is named avg_pol"
        },
        hidden=False,
    ),
)

"""Write notebooks as students saved them from older editions of the assignment.

The 2020 edition's are nbformat 4.2 files without cell ids, written as raw
JSON (nbformat would upgrade them), with the TF1-era cells of that edition
around the graded cells: ``K.set_learning_phase``, ``tf.reset_default_graph``,
``tf.Session``, ``tf.placeholder``, ``keras.utils.vis_utils``,
``scipy.misc.imread``, ``glorot_uniform`` from ``keras.initializers``, and
outputs of a Python 3.6 kernel, errors included. The graded cells are the
solution's, restyled the way that edition wrote them (spaces around keyword
``=``, ``AveragePooling2D`` without ``pool_size``, which Keras 2 defaulted to
(2, 2)).

The 2021 edition's ("W2A1", nbformat 4.4) are another version of the
assignment: TensorFlow 2 with ``tf.keras``, blocks that take ``training`` and
``initializer`` instead of ``stage`` and ``block``, layers without names,
``UNQ_C`` markers and ``public_tests`` cells. Its later revision dropped the
``training`` parameter. The grader recognises both and grades each by its
own checks (``grader.editions``).

Run ``python tests/notebooks/make_vintage.py`` to rewrite them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOLUTION = HERE.parent.parent / "solutions" / "Residual_Networks.ipynb"

IMPORTS = """\
import numpy as np
import tensorflow as tf
from keras import layers
from keras.layers import Input, Add, Dense, Activation, ZeroPadding2D, \\
    BatchNormalization, Flatten, Conv2D, AveragePooling2D, MaxPooling2D, \\
    GlobalMaxPooling2D
from keras.models import Model, load_model
from keras.preprocessing import image
from keras.utils import layer_utils
from keras.utils.data_utils import get_file
from keras.applications.imagenet_utils import preprocess_input
import pydot
from IPython.display import SVG
from keras.utils.vis_utils import model_to_dot
from keras.utils import plot_model
from resnets_utils import *
from keras.initializers import glorot_uniform
import scipy.misc
from matplotlib.pyplot import imshow
%matplotlib inline

import keras.backend as K
K.set_image_data_format('channels_last')
K.set_learning_phase(1)"""

BLOCK_TEST = """\
tf.reset_default_graph()

with tf.Session() as session:
    np.random.seed(1)
    A_prev = tf.placeholder("float", [3, 4, 4, 6])
    X = np.random.randn(3, 4, 4, 6)
    A = {call}
    session.run(tf.global_variables_initializer())
    out = session.run([A], feed_dict={{A_prev: X, K.learning_phase(): 0}})
    print("out = " + str(out[0][1][1][0]))"""

OWN_IMAGE = """\
img_path = 'images/my_image.jpg'
img = image.load_img(img_path, target_size=(64, 64))
x = image.img_to_array(img)
x = np.expand_dims(x, axis=0)
x = preprocess_input(x)
my_image = scipy.misc.imread(img_path)
imshow(my_image)
print(model.predict(x))"""


def restyle(source: str, *, wrong_strides: bool) -> str:
    """Write a graded cell the way the 2020 edition did."""
    source = re.sub(r"(\w)=(?=[^=])", r"\1 = ", source)
    source = source.replace(
        "AveragePooling2D(pool_size = (2, 2), ", "AveragePooling2D("
    )
    if wrong_strides:
        source = re.sub(r"(stage = [345], block = 'a'), s = 2", r"\1, s = 1", source)
    return source


def cell(source: str, outputs: list | None = None, count: int | None = None) -> dict:
    """A code cell as nbformat 4.2 stored it: no id, source as a list of lines."""
    return {
        "cell_type": "code",
        "execution_count": count,
        "metadata": {"collapsed": False} if count else {},
        "outputs": outputs or [],
        "source": source.splitlines(keepends=True),
    }


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": [text]}


def stream(text: str) -> dict:
    return {"name": "stdout", "output_type": "stream", "text": [text]}


def error(ename: str, evalue: str) -> dict:
    return {"ename": ename, "evalue": evalue, "output_type": "error", "traceback": []}


def notebook(*, wrong_strides: bool) -> dict:
    solution = json.loads(SOLUTION.read_text(encoding="utf-8"))
    graded = {
        name: "".join(c["source"])
        for c in solution["cells"]
        for name in ("identity_block", "convolutional_block", "ResNet50")
        if f"# GRADED FUNCTION: {name}" in "".join(c["source"])
    }
    seeded = "f = 2, filters = [2, 4, 6], stage = 1, block = 'a'"
    cells = [
        markdown("# Residual Networks\n\n(saved from the 2020 edition)"),
        cell(IMPORTS, [stream("Using TensorFlow backend.\n")], 1),
        cell(restyle(graded["identity_block"], wrong_strides=wrong_strides), [], 2),
        cell(
            BLOCK_TEST.format(call=f"identity_block(A_prev, {seeded})"),
            [
                stream(
                    "out = [ 0.94822985  0.          1.16101444  2.747859    0.  "
                    "1.36677003]\n"
                )
            ],
            3,
        ),
        cell(
            restyle(graded["convolutional_block"], wrong_strides=wrong_strides), [], 4
        ),
        cell(
            BLOCK_TEST.format(call=f"convolutional_block(A_prev, {seeded})"),
            [
                stream(
                    "out = [ 0.09018463  1.23489773  0.46822017  0.0367176   0.  "
                    "0.65516603]\n"
                )
            ],
            5,
        ),
        cell(restyle(graded["ResNet50"], wrong_strides=wrong_strides), [], 6),
        cell("model = ResNet50(input_shape = (64, 64, 3), classes = 6)", [], 7),
        cell(
            "model.compile(optimizer='adam', loss='categorical_crossentropy', "
            "metrics=['accuracy'])",
            [],
            8,
        ),
        cell(
            "X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes = "
            "load_dataset()\nX_train = X_train_orig/255.\nX_test = X_test_orig/255.\n"
            "Y_train = convert_to_one_hot(Y_train_orig, 6).T\n"
            "Y_test = convert_to_one_hot(Y_test_orig, 6).T",
            [],
            9,
        ),
        cell("model.fit(X_train, Y_train, epochs = 2, batch_size = 32)", [], None),
        cell(
            "model = load_model('ResNet50.h5')",
            [error("NameError", "name 'load_model' is not defined")],
            11,
        ),
        cell(OWN_IMAGE, [], None),
        cell(
            "plot_model(model, to_file='model.png')\nSVG(model_to_dot(model).create("
            "prog='dot', format='svg'))",
            [],
            None,
        ),
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python", "version": "3.6.0"},
        },
        "nbformat": 4,
        "nbformat_minor": 2,
    }


IMPORTS_2021 = r"""import tensorflow as tf
import numpy as np
import scipy.misc
from tensorflow.keras.applications.resnet_v2 import ResNet50V2
from tensorflow.keras.preprocessing import image
from tensorflow.keras.applications.resnet_v2 import preprocess_input, \
    decode_predictions
from tensorflow.keras import layers
from tensorflow.keras.layers import Input, Add, Dense, Activation, ZeroPadding2D, \
    BatchNormalization, Flatten, Conv2D, AveragePooling2D, MaxPooling2D, \
    GlobalMaxPooling2D
from tensorflow.keras.models import Model, load_model
from resnets_utils import *
from tensorflow.keras.initializers import random_uniform, glorot_uniform, \
    constant, identity
from tensorflow.python.framework.ops import EagerTensor
from matplotlib.pyplot import imshow

from test_utils import summary, comparator
import public_tests

%matplotlib inline"""

IDENTITY_2021 = '''# UNQ_C1
# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, training=True, initializer=random_uniform):
    """
    Implementation of the identity block as defined in Figure 4

    Arguments:
    X -- input tensor of shape (m, n_H_prev, n_W_prev, n_C_prev)
    f -- integer, specifying the shape of the middle CONV's window for the main path
    filters -- python list of integers, defining the number of filters in the CONV
               layers of the main path
    training -- True: Behave in training mode
                False: Behave in inference mode
    initializer -- to set up the initial weights of a layer. Equals to random
                   uniform initializer

    Returns:
    X -- output of the identity block, tensor of shape (m, n_H, n_W, n_C)
    """

    # Retrieve Filters
    F1, F2, F3 = filters

    # Save the input value. You'll need this later to add back to the main path.
    X_shortcut = X

    # First component of main path
    X = Conv2D(filters = F1, kernel_size = 1, strides = (1,1), padding = 'valid',
               kernel_initializer = initializer(seed=0))(X)
    X = BatchNormalization(axis = 3)(X, training = training) # Default axis
    X = Activation('relu')(X)

    ### START CODE HERE
    ## Second component of main path (≈3 lines)
    X = Conv2D(filters = F2, kernel_size = f, strides = (1,1), padding = 'same',
               kernel_initializer = initializer(seed=0))(X)
    X = BatchNormalization(axis = 3)(X, training = training)
    X = Activation('relu')(X)

    ## Third component of main path (≈2 lines)
    X = Conv2D(filters = F3, kernel_size = 1, strides = (1,1), padding = 'valid',
               kernel_initializer = initializer(seed=0))(X)
    X = BatchNormalization(axis = 3)(X, training = training)

    ## Final step: Add shortcut value to main path, and pass it through a RELU
    ## activation (≈2 lines)
    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    ### END CODE HERE

    return X'''

IDENTITY_TEST_2021 = r"""np.random.seed(1)
X1 = np.ones((1, 4, 4, 3)) * -1
X2 = np.ones((1, 4, 4, 3)) * 1
X3 = np.ones((1, 4, 4, 3)) * 3

X = np.concatenate((X1, X2, X3), axis = 0).astype(np.float32)

A3 = identity_block(X, f=2, filters=[4, 4, 3],
                   initializer=lambda seed=0:constant(value=1),
                   training=False)
print('\033[1mWith training=False\033[0m\n')
A3np = A3.numpy()
print(np.around(A3.numpy()[:,(0,-1),:,:].mean(axis = 3), 5))

public_tests.identity_block_test(identity_block)"""

CONVOLUTIONAL_2021 = '''# UNQ_C2
# GRADED FUNCTION: convolutional_block

def convolutional_block(X, f, filters, s = 2, training=True,
                        initializer=glorot_uniform):
    """
    Implementation of the convolutional block as defined in Figure 4

    Arguments:
    X -- input tensor of shape (m, n_H_prev, n_W_prev, n_C_prev)
    f -- integer, specifying the shape of the middle CONV's window for the main path
    filters -- python list of integers, defining the number of filters in the CONV
               layers of the main path
    s -- Integer, specifying the stride to be used
    training -- True: Behave in training mode
                False: Behave in inference mode
    initializer -- to set up the initial weights of a layer. Equals to Glorot
                   uniform initializer, also called Xavier uniform initializer.

    Returns:
    X -- output of the convolutional block, tensor of shape (n_H, n_W, n_C)
    """

    # Retrieve Filters
    F1, F2, F3 = filters

    # Save the input value
    X_shortcut = X

    ##### MAIN PATH #####

    # First component of main path glorot_uniform(seed=0)
    X = Conv2D(filters = F1, kernel_size = 1, strides = (s, s), padding='valid',
               kernel_initializer = initializer(seed=0))(X)
    X = BatchNormalization(axis = 3)(X, training=training)
    X = Activation('relu')(X)

    ### START CODE HERE

    ## Second component of main path (≈3 lines)
    X = Conv2D(filters = F2, kernel_size = f, strides = (1, 1), padding='same',
               kernel_initializer = initializer(seed=0))(X)
    X = BatchNormalization(axis = 3)(X, training=training)
    X = Activation('relu')(X)

    ## Third component of main path (≈2 lines)
    X = Conv2D(filters = F3, kernel_size = 1, strides = (1, 1), padding='valid',
               kernel_initializer = initializer(seed=0))(X)
    X = BatchNormalization(axis = 3)(X, training=training)

    ##### SHORTCUT PATH ##### (≈2 lines)
    X_shortcut = Conv2D(filters = F3, kernel_size = 1, strides = (s, s),
                        padding='valid',
                        kernel_initializer = initializer(seed=0))(X_shortcut)
    X_shortcut = BatchNormalization(axis = 3)(X_shortcut, training=training)

    ### END CODE HERE

    # Final step: Add shortcut value to main path (Use this order [X, X_shortcut]),
    # and pass it through a RELU activation
    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)

    return X'''

CONVOLUTIONAL_TEST_2021 = r"""from outputs import convolutional_block_output1, \
    convolutional_block_output2
np.random.seed(1)
X = np.concatenate((X1, X2, X3), axis = 0).astype(np.float32)
A = convolutional_block(X, f = 2, filters = [2, 4, 6], training=False)

assert type(A) == EagerTensor, "Use only tensorflow and keras functions"
assert tuple(tf.shape(A).numpy()) == (3, 2, 2, 6), "Wrong shape."
assert np.allclose(A.numpy(), convolutional_block_output1), "Wrong values."

B = convolutional_block(X, f = 2, filters = [2, 4, 6], training=True)
assert np.allclose(B.numpy(), convolutional_block_output2), "Wrong values."

print('\033[92mAll tests passed!')"""

RESNET50_2021 = '''# UNQ_C3
# GRADED FUNCTION: ResNet50

def ResNet50(input_shape = (64, 64, 3), classes = 6):
    """
    Stage-wise implementation of the architecture of the popular ResNet50:
    CONV2D -> BATCHNORM -> RELU -> MAXPOOL -> CONVBLOCK -> IDBLOCK*2 -> CONVBLOCK
    -> IDBLOCK*3 -> CONVBLOCK -> IDBLOCK*5 -> CONVBLOCK -> IDBLOCK*2 -> AVGPOOL
    -> FLATTEN -> DENSE

    Arguments:
    input_shape -- shape of the images of the dataset
    classes -- integer, number of classes

    Returns:
    model -- a Model() instance in Keras
    """

    # Define the input as a tensor with shape input_shape
    X_input = Input(input_shape)


    # Zero-Padding
    X = ZeroPadding2D((3, 3))(X_input)

    # Stage 1
    X = Conv2D(64, (7, 7), strides = (2, 2),
               kernel_initializer = glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis = 3)(X)
    X = Activation('relu')(X)
    X = MaxPooling2D((3, 3), strides=(2, 2))(X)

    # Stage 2
    X = convolutional_block(X, f = 3, filters = [64, 64, 256], s = 1)
    X = identity_block(X, 3, [64, 64, 256])
    X = identity_block(X, 3, [64, 64, 256])

    ### START CODE HERE

    ## Stage 3 (≈4 lines)
    X = convolutional_block(X, f = 3, filters = [128,128,512], s = 2)
    X = identity_block(X, 3, [128,128,512])
    X = identity_block(X, 3, [128,128,512])
    X = identity_block(X, 3, [128,128,512])

    ## Stage 4 (≈6 lines)
    X = convolutional_block(X, f = 3, filters = [256, 256, 1024], s = 2)
    X = identity_block(X, 3, [256, 256, 1024])
    X = identity_block(X, 3, [256, 256, 1024])
    X = identity_block(X, 3, [256, 256, 1024])
    X = identity_block(X, 3, [256, 256, 1024])
    X = identity_block(X, 3, [256, 256, 1024])

    ## Stage 5 (≈3 lines)
    X = convolutional_block(X, f = 3, filters = [512, 512, 2048], s = 2)
    X = identity_block(X, 3, [512, 512, 2048])
    X = identity_block(X, 3, [512, 512, 2048])

    ## AVGPOOL (≈1 line). Use "X = AveragePooling2D(...)(X)"
    X = AveragePooling2D((2, 2))(X)

    ### END CODE HERE

    # output layer
    X = Flatten()(X)
    X = Dense(classes, activation='softmax',
              kernel_initializer = glorot_uniform(seed=0))(X)


    # Create model
    model = Model(inputs = X_input, outputs = X)

    return model'''


def without_training(source: str) -> str:
    """A 2021 cell as the edition's later revision wrote it: no ``training``."""
    source = re.sub(r"training=True,\s*", "", source)
    source = re.sub(r"\s*training -- .*\n\s*False: [^\n]*", "", source)
    source = re.sub(r",\s*training ?= ?(training|True|False)\)", ")", source)
    return source


def code_2021(source: str, metadata: dict | None = None) -> dict:
    """A code cell as nbformat 4.4 stored it: no id, never run."""
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": metadata or {},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }


def graded_2021(source: str, grade_id: str) -> dict:
    """A graded cell of the 2021 edition, with the course's nbgrader metadata."""
    return code_2021(
        source,
        {
            "deletable": False,
            "nbgrader": {
                "cell_type": "code",
                "checksum": "0" * 32,
                "grade": False,
                "grade_id": grade_id,
                "locked": False,
                "schema_version": 3,
                "solution": True,
                "task": False,
            },
        },
    )


def notebook_2021(*, training: bool) -> dict:
    """The 2021 edition ("W2A1") solved; without ``training``, its later revision."""

    def edit(source: str) -> str:
        return source if training else without_training(source)

    cells = [
        markdown("# Residual Networks\n\n(saved from the 2021 edition, W2A1)"),
        markdown("<a name='1'></a>\n## 1 - Packages"),
        code_2021(IMPORTS_2021),
        graded_2021(edit(IDENTITY_2021), "cell-0017b68317ffa974"),
        code_2021(edit(IDENTITY_TEST_2021)),
        graded_2021(edit(CONVOLUTIONAL_2021), "cell-df47af4847e9335e"),
        code_2021(edit(CONVOLUTIONAL_TEST_2021)),
        graded_2021(RESNET50_2021, "cell-10dc95a8f58b2ee5"),
        code_2021(
            "model = ResNet50(input_shape = (64, 64, 3), classes = 6)\n"
            "print(model.summary())"
        ),
        code_2021(
            "from outputs import ResNet50_summary\n\n"
            "model = ResNet50(input_shape = (64, 64, 3), classes = 6)\n\n"
            "comparator(summary(model), ResNet50_summary)"
        ),
        code_2021(
            "np.random.seed(1)\ntf.random.set_seed(2)\n"
            "opt = tf.keras.optimizers.Adam(learning_rate=0.00015)\n"
            "model.compile(optimizer=opt, loss='categorical_crossentropy', "
            "metrics=['accuracy'])"
        ),
        code_2021(
            "X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes = "
            "load_dataset()\nX_train = X_train_orig / 255.\n"
            "X_test = X_test_orig / 255.\n"
            "Y_train = convert_to_one_hot(Y_train_orig, 6).T\n"
            "Y_test = convert_to_one_hot(Y_test_orig, 6).T"
        ),
        code_2021("model.fit(X_train, Y_train, epochs = 10, batch_size = 32)"),
        code_2021("pre_trained_model = tf.keras.models.load_model('resnet50.h5')"),
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python", "version": "3.7.6"},
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }


def main() -> int:
    notebooks = {
        "vintage_2020_correct": notebook(wrong_strides=False),
        "vintage_2020_stride_1": notebook(wrong_strides=True),
        "vintage_2021_w2a1": notebook_2021(training=True),
        "vintage_2021_w2a1_no_training": notebook_2021(training=False),
    }
    for name, content in notebooks.items():
        path = HERE / f"{name}.ipynb"
        path.write_text(json.dumps(content, indent=1) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write notebooks as students saved them from the 2020 edition of the assignment.

They are nbformat 4.2 files without cell ids, written as raw JSON (nbformat
would upgrade them), with the TF1-era cells of that edition around the graded
cells: ``K.set_learning_phase``, ``tf.reset_default_graph``, ``tf.Session``,
``tf.placeholder``, ``keras.utils.vis_utils``, ``scipy.misc.imread``,
``glorot_uniform`` from ``keras.initializers``, and outputs of a Python 3.6
kernel, errors included. The graded cells are the solution's, restyled the
way that edition wrote them (spaces around keyword ``=``, ``AveragePooling2D``
without ``pool_size``, which Keras 2 defaulted to (2, 2)).

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


def main() -> int:
    for name, wrong in (
        ("vintage_2020_correct", False),
        ("vintage_2020_stride_1", True),
    ):
        path = HERE / f"{name}.ipynb"
        path.write_text(json.dumps(notebook(wrong_strides=wrong), indent=1) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

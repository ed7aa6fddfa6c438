# ruff: noqa
# layers.add(...) and layers.ReLU(), the shortcut path written before the
# main path, and BatchNormalization with its default axis (-1, the channels
# axis of a 4-D input).

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, initializer=random_uniform):
    F1, F2, F3 = filters
    shortcut = X
    X = Conv2D(F1, (1, 1), kernel_initializer=initializer(seed=0))(X)
    X = layers.ReLU()(BatchNormalization()(X))
    X = Conv2D(F2, (f, f), padding='same', kernel_initializer=initializer(seed=0))(X)
    X = layers.ReLU()(BatchNormalization()(X))
    X = Conv2D(F3, (1, 1), kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization()(X)
    return layers.ReLU()(layers.add([X, shortcut]))


# GRADED FUNCTION: convolutional_block

def convolutional_block(X, f, filters, s=2, initializer=glorot_uniform):
    F1, F2, F3 = filters
    shortcut = Conv2D(F3, (1, 1), strides=(s, s), kernel_initializer=initializer(seed=0))(X)
    shortcut = BatchNormalization()(shortcut)
    X = Conv2D(F1, (1, 1), strides=(s, s), kernel_initializer=initializer(seed=0))(X)
    X = layers.ReLU()(BatchNormalization()(X))
    X = Conv2D(F2, (f, f), padding='same', kernel_initializer=initializer(seed=0))(X)
    X = layers.ReLU()(BatchNormalization()(X))
    X = Conv2D(F3, (1, 1), kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization()(X)
    return layers.ReLU()(layers.add([X, shortcut]))

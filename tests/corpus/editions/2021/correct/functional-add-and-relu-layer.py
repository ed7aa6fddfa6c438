# ruff: noqa
# layers.add(...) instead of Add(), layers.ReLU() instead of
# Activation('relu'), and the initializer made once per block and reused.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, training=True, initializer=random_uniform):
    F1, F2, F3 = filters
    shortcut = X
    init = initializer(seed=0)
    X = Conv2D(filters=F1, kernel_size=(1, 1), kernel_initializer=init)(X)
    X = BatchNormalization(axis=3)(X, training=training)
    X = layers.ReLU()(X)
    X = Conv2D(filters=F2, kernel_size=(f, f), padding='same', kernel_initializer=init)(X)
    X = BatchNormalization(axis=3)(X, training=training)
    X = layers.ReLU()(X)
    X = Conv2D(filters=F3, kernel_size=(1, 1), kernel_initializer=init)(X)
    X = BatchNormalization(axis=3)(X, training=training)
    X = layers.add([X, shortcut])
    X = layers.ReLU()(X)
    return X


# GRADED FUNCTION: convolutional_block

def convolutional_block(X, f, filters, s=2, training=True, initializer=glorot_uniform):
    F1, F2, F3 = filters
    init = initializer(seed=0)
    shortcut = Conv2D(F3, (1, 1), strides=(s, s), kernel_initializer=init)(X)
    shortcut = BatchNormalization(axis=3)(shortcut, training=training)
    X = Conv2D(F1, (1, 1), strides=(s, s), kernel_initializer=init)(X)
    X = BatchNormalization(axis=3)(X, training=training)
    X = layers.ReLU()(X)
    X = Conv2D(F2, (f, f), padding='same', kernel_initializer=init)(X)
    X = BatchNormalization(axis=3)(X, training=training)
    X = layers.ReLU()(X)
    X = Conv2D(F3, (1, 1), kernel_initializer=init)(X)
    X = BatchNormalization(axis=3)(X, training=training)
    X = layers.add([X, shortcut])
    return layers.ReLU()(X)

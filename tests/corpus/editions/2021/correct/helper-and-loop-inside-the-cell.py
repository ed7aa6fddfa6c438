# ruff: noqa
# A helper for "convolution, batch norm, maybe ReLU" defined inside the
# graded function, and the main path written as a loop over its settings.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, training=True, initializer=random_uniform):
    def conv_bn(x, n, k, relu):
        x = Conv2D(n, (k, k), padding='valid' if k == 1 else 'same',
                   kernel_initializer=initializer(seed=0))(x)
        x = BatchNormalization(axis=3)(x, training=training)
        return Activation('relu')(x) if relu else x

    X_shortcut = X
    for n, k, relu in zip(filters, (1, f, 1), (True, True, False)):
        X = conv_bn(X, n, k, relu)
    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X


# GRADED FUNCTION: convolutional_block

def convolutional_block(X, f, filters, s=2, training=True, initializer=glorot_uniform):
    def conv_bn(x, n, k, stride, relu):
        x = Conv2D(n, (k, k), strides=(stride, stride),
                   padding='valid' if k == 1 else 'same',
                   kernel_initializer=initializer(seed=0))(x)
        x = BatchNormalization(axis=3)(x, training=training)
        return Activation('relu')(x) if relu else x

    F1, F2, F3 = filters
    X_shortcut = X
    X = conv_bn(X, F1, 1, s, True)
    X = conv_bn(X, F2, f, 1, True)
    X = conv_bn(X, F3, 1, 1, False)
    X_shortcut = conv_bn(X_shortcut, F3, 1, s, False)
    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X

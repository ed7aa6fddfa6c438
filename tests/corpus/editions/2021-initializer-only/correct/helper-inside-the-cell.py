# ruff: noqa
# One helper for "convolution then batch norm" inside each graded function.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, initializer=random_uniform):
    def conv_bn(x, n, k, padding):
        x = Conv2D(n, k, padding=padding, kernel_initializer=initializer(seed=0))(x)
        return BatchNormalization(axis=3)(x)

    F1, F2, F3 = filters
    X_shortcut = X
    X = Activation('relu')(conv_bn(X, F1, 1, 'valid'))
    X = Activation('relu')(conv_bn(X, F2, f, 'same'))
    X = conv_bn(X, F3, 1, 'valid')
    X = Add()([X, X_shortcut])
    return Activation('relu')(X)


# GRADED FUNCTION: convolutional_block

def convolutional_block(X, f, filters, s=2, initializer=glorot_uniform):
    def conv_bn(x, n, k, stride, padding):
        x = Conv2D(n, k, strides=stride, padding=padding, kernel_initializer=initializer(seed=0))(x)
        return BatchNormalization(axis=3)(x)

    F1, F2, F3 = filters
    X_shortcut = conv_bn(X, F3, 1, s, 'valid')
    X = Activation('relu')(conv_bn(X, F1, 1, s, 'valid'))
    X = Activation('relu')(conv_bn(X, F2, f, 1, 'same'))
    X = conv_bn(X, F3, 1, 1, 'valid')
    X = Add()([X, X_shortcut])
    return Activation('relu')(X)

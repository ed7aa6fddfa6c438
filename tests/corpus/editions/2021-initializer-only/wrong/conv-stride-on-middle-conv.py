# function: convolutional_block
# expect: layers and settings: the stride s is on the f x f Conv2D instead of the first 1x1 Conv2D (words: 'stride', 'first Conv2D')
# fails: seeded output, layers and settings, hidden inputs, inference, hidden inputs, training
# says: the first Conv2D of the main path: strides (1, 1), expected (2, 2)
# ruff: noqa
# Put the downsampling on the middle convolution, as some ResNet write-ups do.

# GRADED FUNCTION: convolutional_block

def convolutional_block(X, f, filters, s=2, initializer=glorot_uniform):
    F1, F2, F3 = filters
    X_shortcut = X

    X = Conv2D(filters=F1, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X)
    X = Activation('relu')(X)

    X = Conv2D(filters=F2, kernel_size=(f, f), strides=(s, s), padding='same', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X)
    X = Activation('relu')(X)

    X = Conv2D(filters=F3, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X)

    X_shortcut = Conv2D(filters=F3, kernel_size=1, strides=(s, s), padding='valid', kernel_initializer=initializer(seed=0))(X_shortcut)
    X_shortcut = BatchNormalization(axis=3)(X_shortcut)

    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X

# function: identity_block
# expect: layers and settings: the middle Conv2D pads 'valid', expected 'same': the main path shrinks and cannot be added to the input, so the block raises at its Add: every check gives that error with both shapes and the line (words: 'incompatible shapes', 'Add')
# fails: seeded output, layers and settings, initializer argument, hidden inputs, inference, hidden inputs, training
# says: Inputs have incompatible shapes
# ruff: noqa
# Copied padding='valid' from the first convolution to the f x f one.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, initializer=random_uniform):
    F1, F2, F3 = filters
    X_shortcut = X

    X = Conv2D(filters=F1, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X)
    X = Activation('relu')(X)

    X = Conv2D(filters=F2, kernel_size=(f, f), strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X)
    X = Activation('relu')(X)

    X = Conv2D(filters=F3, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X)

    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X

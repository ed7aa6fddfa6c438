# function: identity_block
# expect: initializer used: kernel_initializer is given the initializer factory itself, not initializer(seed=0): the probe initializer fails or differs (words: 'initializer', 'seed=0')
# fails: seeded output, layers and settings, initializer argument, hidden inputs, inference, hidden inputs, training
# says: `initializer` makes an initializer, it is not one
# ruff: noqa
# Passed initializer instead of calling it, in every convolution.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, initializer=random_uniform):
    F1, F2, F3 = filters
    X_shortcut = X

    X = Conv2D(filters=F1, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer)(X)
    X = BatchNormalization(axis=3)(X)
    X = Activation('relu')(X)

    X = Conv2D(filters=F2, kernel_size=(f, f), strides=(1, 1), padding='same', kernel_initializer=initializer)(X)
    X = BatchNormalization(axis=3)(X)
    X = Activation('relu')(X)

    X = Conv2D(filters=F3, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer)(X)
    X = BatchNormalization(axis=3)(X)

    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X

# function: identity_block
# expect: layers and settings: the shortcut is added before the third BatchNormalization, not after it (words: 'BatchNormalization', 'Add')
# fails: seeded output, layers and settings, hidden inputs, inference, hidden inputs, training
# says: after the third Conv2D of the main path the reference applies BatchNormalization
# ruff: noqa
# Added the shortcut straight after the third convolution and normalized the sum.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, initializer=random_uniform):
    F1, F2, F3 = filters
    X_shortcut = X

    X = Conv2D(filters=F1, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X)
    X = Activation('relu')(X)

    X = Conv2D(filters=F2, kernel_size=(f, f), strides=(1, 1), padding='same', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X)
    X = Activation('relu')(X)

    X = Conv2D(filters=F3, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = Add()([X, X_shortcut])
    X = BatchNormalization(axis=3)(X)
    X = Activation('relu')(X)
    return X

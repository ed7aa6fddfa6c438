# function: identity_block
# expect: layers and settings: a ReLU after the third BatchNormalization and none after the Add (words: 'ReLU', 'Add')
# fails: seeded output, layers and settings, hidden inputs, inference, hidden inputs, training
# says: yours applies a ReLU; the reference adds the shortcut
# ruff: noqa
# Kept the three-line pattern conv / batch norm / ReLU for the last component too, and
# added afterwards.

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
    X = BatchNormalization(axis=3)(X)

    X = Activation('relu')(X)
    X = Add()([X, X_shortcut])
    return X

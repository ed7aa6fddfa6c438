# function: identity_block
# expect: both modes: training=True written into every BatchNormalization: the block ignores the mode it is called in (words: 'training', 'hard-coded')
# fails: hidden inputs, inference
# says: have training=True hard-coded
# ruff: noqa
# Added training=True to the batch norms, as the 2021 notebook shows.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, initializer=random_uniform):
    F1, F2, F3 = filters
    X_shortcut = X

    X = Conv2D(filters=F1, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X, training=True)
    X = Activation('relu')(X)

    X = Conv2D(filters=F2, kernel_size=(f, f), strides=(1, 1), padding='same', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X, training=True)
    X = Activation('relu')(X)

    X = Conv2D(filters=F3, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X, training=True)

    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X

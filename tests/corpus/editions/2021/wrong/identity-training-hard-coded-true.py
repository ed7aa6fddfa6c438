# function: identity_block
# expect: training reaches every BatchNormalization: training=True written into every BatchNormalization: inference-mode outputs use batch statistics (words: 'training', 'hard-coded')
# fails: training argument
# says: have training=True hard-coded
# ruff: noqa
# Wrote training=True instead of the argument.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, training=True, initializer=random_uniform):
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

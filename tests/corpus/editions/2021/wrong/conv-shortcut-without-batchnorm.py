# function: convolutional_block
# expect: layers and settings: the shortcut's Conv2D is added without its BatchNormalization (words: 'shortcut', 'BatchNormalization')
# fails: seeded output, layers and settings, hidden inputs, inference, hidden inputs, training
# says: after the Conv2D of the shortcut the reference applies BatchNormalization
# ruff: noqa
# Forgot the second line of the shortcut path.

# GRADED FUNCTION: convolutional_block

def convolutional_block(X, f, filters, s=2, training=True, initializer=glorot_uniform):
    F1, F2, F3 = filters
    X_shortcut = X

    X = Conv2D(filters=F1, kernel_size=1, strides=(s, s), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X, training=training)
    X = Activation('relu')(X)

    X = Conv2D(filters=F2, kernel_size=(f, f), strides=(1, 1), padding='same', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X, training=training)
    X = Activation('relu')(X)

    X = Conv2D(filters=F3, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3)(X, training=training)

    X_shortcut = Conv2D(filters=F3, kernel_size=1, strides=(s, s), padding='valid', kernel_initializer=initializer(seed=0))(X_shortcut)

    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X

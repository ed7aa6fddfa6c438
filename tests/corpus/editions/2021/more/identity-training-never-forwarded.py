# function: identity_block
# expect: training reaches every BatchNormalization: no BatchNormalization receives training (all three called bare, with momentum and epsilon spelled out): the block runs in inference whatever training says (words: 'training', 'BatchNormalization')
# fails: training argument
# says: 3 of 3 BatchNormalization layers do not get `training`
# ruff: noqa
# Seen in a public copy: batch norms written from the Keras documentation, without
# training=training.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, training=True, initializer=random_uniform):
    F1, F2, F3 = filters
    X_shortcut = X

    X = Conv2D(filters=F1, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3, momentum=0.99, epsilon=0.001)(X)
    X = Activation('relu')(X)

    X = Conv2D(filters=F2, kernel_size=(f, f), strides=(1, 1), padding='same', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3, momentum=0.99, epsilon=0.001)(X)
    X = Activation('relu')(X)

    X = Conv2D(filters=F3, kernel_size=1, strides=(1, 1), padding='valid', kernel_initializer=initializer(seed=0))(X)
    X = BatchNormalization(axis=3, momentum=0.99, epsilon=0.001)(X)

    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X

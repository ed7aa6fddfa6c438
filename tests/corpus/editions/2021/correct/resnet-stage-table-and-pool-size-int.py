# ruff: noqa
# ResNet50 built from a loop over the stages, AveragePooling2D with an int
# pool_size, and a `training=False` parameter the student added to ResNet50
# (unused; the edition is still 2021). Not padding='same' on the pool: equal
# on the 2x2 input of 64x64 images, but 2x2 instead of 1x1 after a 96x96 input.

# GRADED FUNCTION: ResNet50

def ResNet50(input_shape=(64, 64, 3), classes=6, training=False):
    X_input = Input(shape=input_shape)
    X = ZeroPadding2D(padding=(3, 3))(X_input)
    X = Conv2D(64, (7, 7), strides=(2, 2), kernel_initializer=glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis=3)(X)
    X = Activation('relu')(X)
    X = MaxPooling2D(pool_size=(3, 3), strides=(2, 2))(X)

    stages = [([64, 64, 256], 1, 2), ([128, 128, 512], 2, 3),
              ([256, 256, 1024], 2, 5), ([512, 512, 2048], 2, 2)]
    for filters, s, n_identity in stages:
        X = convolutional_block(X, f=3, filters=filters, s=s)
        for _ in range(n_identity):
            X = identity_block(X, 3, filters)

    X = AveragePooling2D(pool_size=2)(X)
    X = Flatten()(X)
    X = Dense(units=classes, activation='softmax', kernel_initializer=glorot_uniform(seed=0))(X)
    return Model(inputs=X_input, outputs=X)

# Names built with f-strings, layers from `from keras import layers`, and
# the stage-1 layers in one chained expression.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, stage, block):
    F1, F2, F3 = filters
    shortcut = X
    for part, n, k in (('2a', F1, 1), ('2b', F2, f), ('2c', F3, 1)):
        X = layers.Conv2D(n, (k, k), padding='same' if k > 1 else 'valid',
                          name=f'res{stage}{block}_branch{part}')(X)
        X = layers.BatchNormalization(axis=3, name=f'bn{stage}{block}_branch{part}')(X)
        if part != '2c':
            X = layers.Activation('relu')(X)
    return layers.Activation('relu')(layers.Add()([X, shortcut]))


# GRADED FUNCTION: ResNet50

def ResNet50(input_shape=(64, 64, 3), classes=6):
    inputs = layers.Input(shape=input_shape)
    X = layers.Activation('relu')(
        layers.BatchNormalization(axis=3, name='bn_conv1')(
            layers.Conv2D(64, (7, 7), strides=(2, 2), name='conv1')(
                layers.ZeroPadding2D((3, 3))(inputs))))
    X = layers.MaxPooling2D((3, 3), strides=(2, 2))(X)
    plan = {2: ([64, 64, 256], 3), 3: ([128, 128, 512], 4),
            4: ([256, 256, 1024], 6), 5: ([512, 512, 2048], 3)}
    for stage, (filters, count) in plan.items():
        X = convolutional_block(X, 3, filters, stage, 'a', s=1 if stage == 2 else 2)
        for block in 'bcdef'[:count - 1]:
            X = identity_block(X, 3, filters, stage, block)
    X = layers.AveragePooling2D((2, 2), name='avg_pool')(X)
    X = layers.Dense(classes, activation='softmax', name=f'fc{classes}')(layers.Flatten()(X))
    return keras.Model(inputs, X, name='ResNet50')

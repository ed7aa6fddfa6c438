# Stages 3 to 5 built in a loop over a table; the shortcut added first.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    for part, (n, k, pad) in zip('abc', [(F1, 1, 'valid'), (F2, f, 'same'), (F3, 1, 'valid')]):
        X = Conv2D(n, (k, k), strides=(1, 1), padding=pad, name=conv_name_base + '2' + part,
                   kernel_initializer=glorot_uniform(seed=0))(X)
        X = BatchNormalization(axis=3, name=bn_name_base + '2' + part)(X)
        if part != 'c':
            X = Activation('relu')(X)
    X = Add()([X_shortcut, X])
    X = Activation('relu')(X)
    return X


# GRADED FUNCTION: ResNet50

def ResNet50(input_shape=(64, 64, 3), classes=6):
    X_input = Input(input_shape)
    X = ZeroPadding2D((3, 3))(X_input)
    X = Conv2D(64, (7, 7), strides=(2, 2), name='conv1', kernel_initializer=glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis=3, name='bn_conv1')(X)
    X = Activation('relu')(X)
    X = MaxPooling2D((3, 3), strides=(2, 2))(X)
    stages = [
        (2, [64, 64, 256], 1, 'bc'),
        (3, [128, 128, 512], 2, 'bcd'),
        (4, [256, 256, 1024], 2, 'bcdef'),
        (5, [512, 512, 2048], 2, 'bc'),
    ]
    for stage, filters, stride, blocks in stages:
        X = convolutional_block(X, 3, filters, stage, 'a', s=stride)
        for block in blocks:
            X = identity_block(X, 3, filters, stage=stage, block=block)
    X = AveragePooling2D((2, 2), name='avg_pool')(X)
    X = Flatten()(X)
    X = Dense(classes, activation='softmax', name='fc' + str(classes))(X)
    return Model(inputs=X_input, outputs=X, name='ResNet50')

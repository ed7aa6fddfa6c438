# Integer kernel sizes and strides, and no kernel_initializer at all.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, 1, name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(F2, f, padding='same', name=conv_name_base + '2b')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    X = Conv2D(F3, 1, name=conv_name_base + '2c')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X


# GRADED FUNCTION: convolutional_block

def convolutional_block(X, f, filters, stage, block, s=2):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, 1, strides=s, name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(F2, f, padding='same', name=conv_name_base + '2b')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    X = Conv2D(F3, 1, name=conv_name_base + '2c')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    X_shortcut = Conv2D(F3, 1, strides=s, name=conv_name_base + '1')(X_shortcut)
    X_shortcut = BatchNormalization(axis=3, name=bn_name_base + '1')(X_shortcut)
    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X


# GRADED FUNCTION: ResNet50

def ResNet50(input_shape=(64, 64, 3), classes=6):
    X_input = Input(input_shape)
    X = ZeroPadding2D(3)(X_input)
    X = Conv2D(64, 7, strides=2, name='conv1')(X)
    X = BatchNormalization(axis=3, name='bn_conv1')(X)
    X = Activation('relu')(X)
    X = MaxPooling2D(3, strides=2)(X)
    X = convolutional_block(X, 3, [64, 64, 256], 2, 'a', s=1)
    X = identity_block(X, 3, [64, 64, 256], 2, 'b')
    X = identity_block(X, 3, [64, 64, 256], 2, 'c')
    X = convolutional_block(X, 3, [128, 128, 512], 3, 'a')
    X = identity_block(X, 3, [128, 128, 512], 3, 'b')
    X = identity_block(X, 3, [128, 128, 512], 3, 'c')
    X = identity_block(X, 3, [128, 128, 512], 3, 'd')
    X = convolutional_block(X, 3, [256, 256, 1024], 4, 'a')
    for block in 'bcdef':
        X = identity_block(X, 3, [256, 256, 1024], 4, block)
    X = convolutional_block(X, 3, [512, 512, 2048], 5, 'a')
    X = identity_block(X, 3, [512, 512, 2048], 5, 'b')
    X = identity_block(X, 3, [512, 512, 2048], 5, 'c')
    X = AveragePooling2D(2, name='avg_pool')(X)
    X = Flatten()(X)
    X = Dense(classes, activation='softmax', name='fc' + str(classes))(X)
    return Model(X_input, X, name='ResNet50')

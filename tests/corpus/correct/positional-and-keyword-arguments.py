# Layer arguments all positional in one block, all keywords in the other,
# and the blocks called with keywords only.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, (1, 1), (1, 1), 'valid', name=conv_name_base + '2a')(X)
    X = BatchNormalization(3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(F2, (f, f), (1, 1), 'same', name=conv_name_base + '2b')(X)
    X = BatchNormalization(3, name=bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    X = Conv2D(F3, (1, 1), (1, 1), 'valid', name=conv_name_base + '2c')(X)
    X = BatchNormalization(3, name=bn_name_base + '2c')(X)
    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X


# GRADED FUNCTION: convolutional_block

def convolutional_block(X, f, filters, stage, block, s=2):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(filters=F1, kernel_size=(1, 1), strides=(s, s), padding='valid',
               name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation(activation='relu')(X)
    X = Conv2D(filters=F2, kernel_size=(f, f), strides=(1, 1), padding='same',
               name=conv_name_base + '2b')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
    X = Activation(activation='relu')(X)
    X = Conv2D(filters=F3, kernel_size=(1, 1), strides=(1, 1), padding='valid',
               name=conv_name_base + '2c')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    X_shortcut = Conv2D(filters=F3, kernel_size=(1, 1), strides=(s, s),
                        padding='valid', name=conv_name_base + '1')(X_shortcut)
    X_shortcut = BatchNormalization(axis=3, name=bn_name_base + '1')(X_shortcut)
    X = Add()(inputs=[X, X_shortcut])
    X = Activation(activation='relu')(X)
    return X


# GRADED FUNCTION: ResNet50

def ResNet50(input_shape=(64, 64, 3), classes=6):
    X_input = Input(shape=input_shape)
    X = ZeroPadding2D(padding=(3, 3))(X_input)
    X = Conv2D(filters=64, kernel_size=(7, 7), strides=(2, 2), name='conv1')(X)
    X = BatchNormalization(axis=3, name='bn_conv1')(X)
    X = Activation('relu')(X)
    X = MaxPooling2D(pool_size=(3, 3), strides=(2, 2))(X)
    X = convolutional_block(X=X, f=3, filters=[64, 64, 256], stage=2, block='a', s=1)
    for block in ('b', 'c'):
        X = identity_block(X=X, f=3, filters=[64, 64, 256], stage=2, block=block)
    X = convolutional_block(X=X, f=3, filters=[128, 128, 512], stage=3, block='a', s=2)
    for block in ('b', 'c', 'd'):
        X = identity_block(X=X, f=3, filters=[128, 128, 512], stage=3, block=block)
    X = convolutional_block(X=X, f=3, filters=[256, 256, 1024], stage=4, block='a', s=2)
    for block in ('b', 'c', 'd', 'e', 'f'):
        X = identity_block(X=X, f=3, filters=[256, 256, 1024], stage=4, block=block)
    X = convolutional_block(X=X, f=3, filters=[512, 512, 2048], stage=5, block='a', s=2)
    for block in ('b', 'c'):
        X = identity_block(X=X, f=3, filters=[512, 512, 2048], stage=5, block=block)
    X = AveragePooling2D(pool_size=(2, 2), name='avg_pool')(X)
    X = Flatten()(X)
    X = Dense(units=classes, activation='softmax', name='fc' + str(classes))(X)
    return Model(inputs=X_input, outputs=X)

# A helper defined inside each graded cell does the Conv2D-BatchNorm-ReLU step.

# GRADED FUNCTION: identity_block

def conv_bn(X, filters, kernel, strides, padding, names, part, relu=True):
    X = Conv2D(filters, kernel, strides=strides, padding=padding,
               name=names[0] + part, kernel_initializer=glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis=3, name=names[1] + part)(X)
    return Activation('relu')(X) if relu else X


def identity_block(X, f, filters, stage, block):
    names = ('res%d%s_branch' % (stage, block), 'bn%d%s_branch' % (stage, block))
    F1, F2, F3 = filters
    shortcut = X
    X = conv_bn(X, F1, (1, 1), (1, 1), 'valid', names, '2a')
    X = conv_bn(X, F2, (f, f), (1, 1), 'same', names, '2b')
    X = conv_bn(X, F3, (1, 1), (1, 1), 'valid', names, '2c', relu=False)
    return Activation('relu')(Add()([X, shortcut]))


# GRADED FUNCTION: convolutional_block

def _unit(X, filters, kernel, stride, name, bn_name, relu):
    X = Conv2D(filters, kernel, strides=stride, padding='same' if kernel > 1 else 'valid',
               name=name)(X)
    X = BatchNormalization(axis=3, name=bn_name)(X)
    return Activation('relu')(X) if relu else X


def convolutional_block(X, f, filters, stage, block, s=2):
    base = f'{stage}{block}_branch'
    F1, F2, F3 = filters
    shortcut = _unit(X, F3, 1, s, 'res' + base + '1', 'bn' + base + '1', relu=False)
    X = _unit(X, F1, 1, s, 'res' + base + '2a', 'bn' + base + '2a', relu=True)
    X = _unit(X, F2, f, 1, 'res' + base + '2b', 'bn' + base + '2b', relu=True)
    X = _unit(X, F3, 1, 1, 'res' + base + '2c', 'bn' + base + '2c', relu=False)
    return Activation('relu')(Add()([X, shortcut]))

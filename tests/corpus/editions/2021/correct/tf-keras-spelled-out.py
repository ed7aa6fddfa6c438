# ruff: noqa
# Every layer spelled tf.keras.layers.*, the ReLU as tf.nn.relu, and the
# blocks' keyword arguments given in another order.

# GRADED FUNCTION: identity_block

def identity_block(X, f, filters, training=True, initializer=random_uniform):
    F1, F2, F3 = filters
    X_shortcut = X
    X = tf.keras.layers.Conv2D(kernel_initializer=initializer(seed=0), filters=F1, kernel_size=(1, 1), padding='valid')(X)
    X = tf.keras.layers.BatchNormalization(axis=3)(X, training=training)
    X = tf.keras.layers.Activation(tf.nn.relu)(X)
    X = tf.keras.layers.Conv2D(kernel_initializer=initializer(seed=0), filters=F2, kernel_size=(f, f), padding='same')(X)
    X = tf.keras.layers.BatchNormalization(axis=3)(X, training=training)
    X = tf.keras.layers.Activation(tf.nn.relu)(X)
    X = tf.keras.layers.Conv2D(kernel_initializer=initializer(seed=0), filters=F3, kernel_size=(1, 1), padding='valid')(X)
    X = tf.keras.layers.BatchNormalization(axis=3)(X, training=training)
    X = tf.keras.layers.Add()([X, X_shortcut])
    X = tf.keras.layers.Activation(tf.nn.relu)(X)
    return X


# GRADED FUNCTION: ResNet50

def ResNet50(input_shape=(64, 64, 3), classes=6):
    X_input = tf.keras.Input(input_shape)
    X = tf.keras.layers.ZeroPadding2D((3, 3))(X_input)
    X = tf.keras.layers.Conv2D(64, (7, 7), strides=(2, 2), kernel_initializer=glorot_uniform(seed=0))(X)
    X = tf.keras.layers.BatchNormalization(axis=3)(X)
    X = tf.keras.layers.Activation('relu')(X)
    X = tf.keras.layers.MaxPooling2D((3, 3), strides=(2, 2))(X)
    X = convolutional_block(X, f=3, filters=[64, 64, 256], s=1)
    X = identity_block(X, 3, [64, 64, 256])
    X = identity_block(X, 3, [64, 64, 256])
    X = convolutional_block(X, f=3, filters=[128, 128, 512], s=2)
    for _ in range(3):
        X = identity_block(X, 3, [128, 128, 512])
    X = convolutional_block(X, f=3, filters=[256, 256, 1024], s=2)
    for _ in range(5):
        X = identity_block(X, 3, [256, 256, 1024])
    X = convolutional_block(X, f=3, filters=[512, 512, 2048], s=2)
    for _ in range(2):
        X = identity_block(X, 3, [512, 512, 2048])
    X = tf.keras.layers.AveragePooling2D(pool_size=(2, 2))(X)
    X = tf.keras.layers.Flatten()(X)
    X = tf.keras.layers.Dense(classes, activation='softmax', kernel_initializer=glorot_uniform(seed=0))(X)
    return tf.keras.Model(inputs=X_input, outputs=X)

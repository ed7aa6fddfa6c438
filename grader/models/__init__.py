"""Keras models as the grader reads them: rebuilt safely, and their graphs.

``rebuild`` rebuilds a model from its configuration with Keras' built-in
layers only, makes a configuration canonical and sets weights; ``graph``
compares layer graphs and finds where two part; ``graph_read`` reads a graph
from a model or the layer table; ``graph_window`` cuts the layers around a
difference for the feedback's picture.

May import: ``grader.errors``, ``grader.reports``.
"""

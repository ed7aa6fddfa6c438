"""The shipped editions' solution notebooks: each edition's reference.

Installed as ``grader.solutions``; hidden from the kernel as the grader is.
"""

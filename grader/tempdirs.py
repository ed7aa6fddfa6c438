"""Moved to ``grader.files``; kept until ``grader.batch`` imports from there."""

from grader.files import REMOVE_SECONDS, remove_tree, temporary_folder

__all__ = ["REMOVE_SECONDS", "remove_tree", "temporary_folder"]

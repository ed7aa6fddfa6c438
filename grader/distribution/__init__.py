"""What the course hands out and uploads, made from each edition's solution.

``assign`` makes the student notebook; ``release`` writes the hand-out
folder and its zip, with ``handout_code`` copying the checks' code into its
``resnet_checks/`` and ``submit``, the notebook's ``submit()`` to a grading
service; ``gradescope`` builds Gradescope's autograder bundle and runs it;
``author`` writes an instructor's edition and proves it (``grader edition
new``, ``grader edition check``).

May import: everything below it (``grader.grading`` and the folders it
walks), and ``grader.notebooks``; nothing above it (batches, similarity, the
service, the command line).
"""

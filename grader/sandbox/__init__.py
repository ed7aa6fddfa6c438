"""The sandbox a kernel runs in, and the limits it is held to.

``choice`` picks the strongest sandbox this system allows (``Sandbox``,
``choose``); ``limits`` (time, CPU, memory, processes, files, output);
``jail_plan`` writes the plan that ``jail`` (the launcher, standard library
only) reads to build the sandbox before Python starts; ``watchdog`` watches
the kernel's processes from outside; ``users`` gives the kernel a user of its
own where the grader is root without namespaces; ``cgroup`` reads memory as
a container counts it; ``files`` decides where a grading's temporary folders
and sockets live.

May import: ``grader.errors``, ``grader.reports`` (the protections a report
lists). It knows nothing of notebooks or checks.
"""

"""`make bench`: Vigil's figures, each measured beside its ceiling in the same run.

Not collected by `make test` (pytest's addopts ignore this folder). Run `python -m tests.bench`
from the repository root, or `make bench`.
"""

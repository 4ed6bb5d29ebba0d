"""`python -m edepot`: the same command line as the `edepot` console script."""

from edepot.cli import main

main()

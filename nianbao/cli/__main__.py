"""`python -m nianbao.cli`."""

from nianbao.cli import main

main()

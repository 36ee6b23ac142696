"""The fault soak: real servers, real workers, real faults, and an account of every page.

``python -m devtools.soak --pages N --faults F --workers W [--quick] [--seed S] [--run-dir DIR]
[--max-retries K]``; see :mod:`devtools.soak.run`.
"""

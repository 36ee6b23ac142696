"""``python -m devtools.soak``."""

import sys

from devtools.soak.run import main

sys.exit(main())

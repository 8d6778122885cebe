"""`python -m smallville.cli`: how `run --view` starts its simulation child."""

import sys

from smallville.cli import main

sys.exit(main())

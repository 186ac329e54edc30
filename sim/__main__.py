"""``python -m sim`` runs the ``gridsim`` command line."""

import sys

from sim.cli import main

sys.exit(main())

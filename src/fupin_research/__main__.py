"""``python -m fupin_research`` runs the ``fupin`` command (useful where pip's script folder is not on PATH)."""

import sys

from fupin_research.cli import main

sys.exit(main())

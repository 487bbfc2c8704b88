"""Entry point for ``python -m awesome_catalog``."""

from awesome_catalog.cli import main

raise SystemExit(main())

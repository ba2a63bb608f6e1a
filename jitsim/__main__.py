"""``python -m jitsim``: the same as the ``jitsim`` command."""

from jitsim.cli import main

if __name__ == "__main__":
    main()

"""The installed version of jitsim (recorded in every results directory)."""

from importlib.metadata import PackageNotFoundError, version


def jitsim_version() -> str:
    """The installed jitsim version, ``"0.0.0"`` when running from a source tree."""
    try:
        return version("jitsim")
    except PackageNotFoundError:
        return "0.0.0"


__version__ = jitsim_version()

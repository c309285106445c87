"""Command groups of the `qiangji` command line; see `qiangji.cli`."""

from qiangji.commands import comparison, index, web

COMMAND_MODULES = (web, index, comparison)

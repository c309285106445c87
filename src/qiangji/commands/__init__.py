"""Command groups of the `qiangji` command line; see `qiangji.cli`."""

from qiangji.commands import comparison, index, period, web

COMMAND_MODULES = (web, period, index, comparison)

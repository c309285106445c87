"""qiangji (强基): capability-index platform for a city metrology institute's county programme."""

__version__ = "0.1.0"

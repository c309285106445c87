import sys

from qiangji.cli import main

sys.exit(main())

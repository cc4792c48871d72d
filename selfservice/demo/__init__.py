"""The fictional Yunnan demo data set loaded by ``selfservice demo``."""

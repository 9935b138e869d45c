"""The ``policy-qa`` command line: the edge where people meet the pipeline from a terminal."""

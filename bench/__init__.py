"""pmconsole's performance benchmark: ``make bench`` (``python -m bench``).

Every figure compares a subject with a reference measured in the same run (see
``bench/README.md``). Data comes from the seeded generator in ``bench.generate``.
"""

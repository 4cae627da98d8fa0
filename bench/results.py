"""The results file the bench scripts write through lib.sh's `record`: one measurement a line,
`who<TAB>measure<TAB>value`, where `who` is a server (redis, respd) or a mode (controls.sh). The
scripts' table printers import this (PYTHONPATH=bench) so they read it one way."""

import collections
import statistics


def load(path):
    """Returns (values, order): every value of (who, measure) in the order recorded, and the
    measures in the order first seen."""
    values = collections.defaultdict(list)
    order = []
    with open(path) as results:
        for line in results:
            who, measure, value = line.rstrip("\n").split("\t")
            if measure not in order:
                order.append(measure)
            values[(who, measure)].append(float(value))
    return values, order


def median(values, who, measure):
    """The median of (who, measure), or None when it was not measured."""
    v = values.get((who, measure))
    return statistics.median(v) if v else None

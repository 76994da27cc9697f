# Task: the tally container runs, started once (no restarts), and its own service answers
# on port 8080: a container kept alive by a dummy command doesn't count.
check_stays_up tally "tally ok"

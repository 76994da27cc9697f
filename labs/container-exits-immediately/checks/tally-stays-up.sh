# Task: the tally container runs, started once (no restarts), its own server is the
# container's main process, and it answers on port 8080: a container kept alive by a
# dummy command, or by a wait after a server started in the background, doesn't count.
check_stays_up tally "tally ok"

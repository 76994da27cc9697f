# Task: the ledger container runs, started once (no restarts), and its own service answers
# on port 8080: a container kept alive by a dummy command doesn't count.
check_stays_up ledger "ledger ok: dues ledger LG-$(seed_hex ledger 6)"   # the ledger_id in config/ledger/ledger.conf

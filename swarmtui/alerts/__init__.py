"""Alerts: rules over the swarm and queue observations, and their delivery (never imports textual).

    rules.py     pure: snapshots, task failures and queue polls -> Alert (one per incident + resolved)
    settings.py  the [alerts] table of config.toml
    delivery.py  stdout lines, a webhook and a command hook, each on its own thread
    watch.py     the loop that feeds the rules from the swarm and Redis (`swarmtui watch`, the TUI)
"""

"""Queue-driven autoscaling (never imports textual).

    policy.py   the [autoscale.<service>] tables of config.toml
    decide.py   pure: a policy, the queue's rates and the replica count -> a decision, explained
    runner.py   applies decisions through SwarmClient.scale, pauses on manual scales, writes the audit log
"""

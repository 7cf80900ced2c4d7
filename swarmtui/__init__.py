"""swarmtui: a terminal UI for crawler fleets on Docker Swarm."""

__version__ = "0.1.0"

# Two commands for a fresh Debian/Ubuntu machine (see README):
#   make demo   installs what is needed, starts the lab with the sample spider and opens swarmtui on it
#   make test   installs what is needed and runs the whole test suite (lab, Redis and sshd included)

PYTHON ?= python3
VENV   := .venv
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSTEM_PACKAGES := docker.io docker-registry redis-server redis-tools debootstrap openssh-server \
                   iproute2 iptables util-linux tmux python3-venv git ca-certificates

.PHONY: system venv test demo lab-down screenshots bench dist

system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages: $$missing"; \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

# Two pytest-xdist workers, each on labs of its own: 10-13 min instead of 17-18 on 2 cores (most lab
# tests wait on the swarm). TEST_WORKERS=1 runs one, on the labs test and remote only.
TEST_WORKERS ?= 2

test: system venv
	$(SUDO) env CI="$(CI)" $(VENV)/bin/pytest -q -ra --durations=25 -n $(TEST_WORKERS) --dist loadgroup

demo: system venv
	$(SUDO) $(VENV)/bin/swarmtui lab up --ssh
	$(SUDO) $(VENV)/bin/swarmtui lab demo
	$(SUDO) sh -c 'eval "$$($(VENV)/bin/swarmtui lab env)" && exec $(VENV)/bin/swarmtui'

# $(DIST)/swarmtui-VERSION-py3-none-any.whl: copy it to a manager and `pipx install ./swarmtui-*.whl` there
DIST ?= dist
dist: venv
	$(VENV)/bin/pip wheel -q --no-deps --wheel-dir $(DIST) .
	@ls $(DIST)/swarmtui-*.whl

lab-down: venv
	$(SUDO) $(VENV)/bin/swarmtui lab down

screenshots: venv
	$(SUDO) $(VENV)/bin/python screenshots/make_screenshots.py

bench: venv
	$(SUDO) $(VENV)/bin/python -m bench

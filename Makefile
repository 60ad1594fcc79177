# Gatehouse -- the two front-door commands.  Everything else is Meson (see README.md).
#   make run   install missing Debian packages, build, initialise ./var once, serve on :8088
#   make test  install missing Debian packages, build, run every test suite
.PHONY: run test

run:
	@scripts/deps.sh build
	@scripts/run.sh

test:
	@scripts/deps.sh build test
	@scripts/test.sh

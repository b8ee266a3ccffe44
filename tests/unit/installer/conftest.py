"""Starts the Pi's dependency resolution (test_dependencies.py) once collection is done, and
only for the machines whose test was selected: it waits on the network for most of its 16 s, so
it runs beside the tests that come before it instead of in front of its own."""


def pytest_collection_finish(session):
    for item in session.items:
        if item.module.__name__.endswith("test_dependencies") and hasattr(item, "callspec"):
            item.module.start_resolving(item.callspec.params["machine"])

from tests.web.conftest import workspace, world  # noqa: F401 - the workspace tests' fixtures

pytest_plugins = ["luoshi_kit.testing"]

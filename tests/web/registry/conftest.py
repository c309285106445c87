from tests.web.registry.pages_world import world

__all__ = ["world"]

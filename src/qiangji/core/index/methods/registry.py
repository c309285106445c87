"""A name → function registry for one method family (impute, treat, normalise, aggregate).

A method choice is data (``{"method": "minmax", "low": 0, "high": 100}``): it is stored with a run,
serialised to JSON and perturbed by the uncertainty analysis. The registry resolves the name and checks
the parameters against the function's keyword-only signature, so that a typo in a framework file is an
error that names the node, not a silent default.

A method also declares which of its parameters are amounts in the indicator's own units (``absolute``:
a target, goalposts, a fill value), so that a flow indicator whose framework amounts are per year
(``per: year``) can have them pro-rated to the period; ``None`` marks a method whose parameters cannot
be pro-rated (an ordinal table of levels). Scale-free methods (min-max, z-score, ranks) declare none.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from qiangji.core.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])

#: Keyword arguments the pipeline passes itself; a framework file may not set them.
RESERVED = frozenset({"direction", "groups", "history", "min_data", "weights"})


class Registry(Generic[F]):
    """Named methods of one family; ``registry["minmax"]`` returns the function."""

    def __init__(self, family: str) -> None:
        self.family = family
        self._items: dict[str, F] = {}
        self._checks: dict[str, Callable[[Mapping[str, Any], int], list[str]]] = {}
        self._absolute: dict[str, tuple[str, ...] | None] = {}

    def register(
        self,
        name: str,
        check: Callable[[Mapping[str, Any], int], list[str]] | None = None,
        absolute: tuple[str, ...] | None = (),
    ) -> Callable[[F], F]:
        """Decorator: register ``func`` under ``name`` (with an optional parameter check).

        ``absolute`` names the parameters given in the indicator's own units (module docstring).
        """

        def deco(func: F) -> F:
            if not (func.__doc__ or "").strip():
                raise TypeError(f"{self.family} method {name!r} needs a docstring (formula and source)")
            self._items[name] = func
            self._absolute[name] = absolute
            if check is not None:
                self._checks[name] = check
            return func

        return deco

    def __getitem__(self, name: str) -> F:
        try:
            return self._items[name]
        except KeyError:
            raise InputError(
                f"`{self.family}` method must be one of {', '.join(sorted(self._items))}, got {name!r}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def names(self) -> tuple[str, ...]:
        """The registered names, sorted."""
        return tuple(sorted(self._items))

    def parameters(self, name: str) -> dict[str, inspect.Parameter]:
        """The keyword-only parameters a spec may set for method ``name``."""
        sig = inspect.signature(self[name])
        return {
            p.name: p
            for p in sig.parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in RESERVED
        }

    def absolute(self, name: str) -> tuple[str, ...] | None:
        """Parameters of ``name`` in the indicator's own units (``None``: they cannot be pro-rated).

        An unknown name has none (``check`` reports it).
        """
        return self._absolute.get(name, ())

    def check(self, name: str, params: Mapping[str, Any], direction: int = 1) -> list[str]:
        """Problems with ``params`` for method ``name`` (unknown or missing keys, method rules)."""
        if name not in self._items:
            return [f"`{self.family}` method must be one of {', '.join(self.names())}, got {name!r}"]
        allowed = self.parameters(name)
        problems = [
            f"`{key}` is not a parameter of {self.family} method {name!r} "
            f"(parameters: {', '.join(allowed) or 'none'})"
            for key in params
            if key not in allowed
        ]
        problems += [
            f"{self.family} method {name!r} needs parameter `{key}`"
            for key, p in allowed.items()
            if p.default is inspect.Parameter.empty and key not in params
        ]
        if not problems and name in self._checks:
            problems += self._checks[name](params, direction)
        return problems

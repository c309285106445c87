"""Passwords made of a repeated character or a keyboard/alphabet walk are refused (NIST SP 800-63B 5.1.1.2:
"repetitive or sequential characters"; Django's common-password list misses most of them, e.g.
``aaaaaaaaaaaa`` or ``qwertyuiopas``, which are long enough for the length rule).

A password is refused when it contains ``max_repeat + 1`` identical characters in a row, or ``walk_length``
consecutive characters of a keyboard row, the alphabet or the digits, forwards or backwards, in any case.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Sequences whose runs are walks: the letter rows of a QWERTY keyboard, the digit row, the alphabet.
SEQUENCES = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890", "0123456789", "abcdefghijklmnopqrstuvwxyz")


def longest_repeat(password: str) -> int:
    """Length of the longest run of one character (case-insensitive)."""
    best = run = 0
    previous = ""
    for ch in password.casefold():
        run = run + 1 if ch == previous else 1
        previous, best = ch, max(best, run)
    return best


def has_walk(password: str, length: int) -> bool:
    """True when ``length`` consecutive characters follow one of :data:`SEQUENCES`, either way round."""
    text = password.casefold()
    walks = {seq[i : i + length] for seq in SEQUENCES for i in range(len(seq) - length + 1)}
    walks |= {w[::-1] for w in walks}
    return any(text[i : i + length] in walks for i in range(len(text) - length + 1))


class PatternPasswordValidator:
    """Refuses runs of one character (``aaaa``) and keyboard, alphabet or digit walks (``qwer``, ``dcba``)."""

    def __init__(self, max_repeat: int = 3, walk_length: int = 4) -> None:
        self.max_repeat, self.walk_length = max_repeat, walk_length

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        if longest_repeat(password) > self.max_repeat:
            errors.append(
                ValidationError(
                    _("密码不能包含 %(n)s 个或更多连续相同的字符（如“aaaa”“1111”）。"),
                    code="password_repeated_characters",
                    params={"n": self.max_repeat + 1},
                )
            )
        if has_walk(password, self.walk_length):
            errors.append(
                ValidationError(
                    _(
                        "密码不能包含 %(n)s 个或更多连续的键盘、字母或数字顺序"
                        "（如“qwer”“abcd”“1234”及其倒序）。"
                    ),
                    code="password_keyboard_walk",
                    params={"n": self.walk_length},
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "密码不能包含 %(r)s 个或更多连续相同的字符，也不能包含 %(w)s 个或更多连续的键盘、字母或数字顺序"
            "（如 qwer、abcd、1234 及其倒序）。"
        ) % {"r": self.max_repeat + 1, "w": self.walk_length}

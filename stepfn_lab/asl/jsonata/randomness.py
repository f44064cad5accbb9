"""The randomness of ``$random()`` and ``$uuid()``: seeded, so a notebook's outputs stay the same.

Spec: AWS Step Functions developer guide, "Transforming data with JSONata in Step
Functions" (``$random([seed])`` and ``$uuid()``, functions Step Functions adds;
with a seed, ``$random`` gives what Java's ``Random(seed).nextDouble()`` gives, as
measured on AWS). Taught in: notebooks/14-jsonata-and-variables.ipynb.
"""

from __future__ import annotations

import random
import uuid

_JAVA_MULTIPLIER = 0x5DEECE66D
_JAVA_MASK = (1 << 48) - 1


def java_random_double(seed: int) -> float:
    """``new java.util.Random(seed).nextDouble()``: what ``$random(seed)`` returns.

    The 48-bit linear congruential generator of the Java platform: scramble the
    seed, draw 26 and then 27 bits, and scale the 53-bit number into [0, 1).

    >>> java_random_double(42)
    0.7275636800328681
    """
    state = (seed ^ _JAVA_MULTIPLIER) & _JAVA_MASK
    state = (state * _JAVA_MULTIPLIER + 0xB) & _JAVA_MASK
    high = state >> (48 - 26)
    state = (state * _JAVA_MULTIPLIER + 0xB) & _JAVA_MASK
    low = state >> (48 - 27)
    return ((high << 27) + low) / float(1 << 53)


class SeededRng:
    """The randomness ``$random()`` and ``$uuid()`` draw from when no rng is passed in.

    Any object with ``random() -> float`` and ``uuid() -> str`` will do, such as
    the engine's own ``Rng``; this one keeps a notebook reproducible on its own.
    """

    __slots__ = ("_random",)

    def __init__(self, seed: int | None = 0):
        self._random = random.Random(seed)

    def random(self) -> float:
        return self._random.random()

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))


DEFAULT_RNG = SeededRng(0)

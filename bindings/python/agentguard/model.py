"""The policy model: layers of policy sources (enum ag_layer) and permission
modes (enum ag_mode)."""

import enum


class _NamedEnum(enum.Enum):
    """An enum whose members have the C library's spelling as str()."""

    @classmethod
    def from_name(cls, name):
        """Return the member that the C library spells `name`.

        Raises ValueError for a name the C library does not define.
        """
        for member in cls:
            if str(member) == name:
                return member
        names = ", ".join(str(member) for member in cls)
        raise ValueError(f"unknown {cls._description()} {name!r}: use one of {names}")

    @classmethod
    def coerce(cls, value):
        """Return `value` as a member: a member as is, a str by its C name."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            return cls.from_name(value)
        raise TypeError(
            f"a {cls._description()} must be an agentguard.{cls.__name__} or its name, "
            f"not {type(value).__name__}")

    @classmethod
    def from_value(cls, value):
        """Return the member for a value the C library returned, or the int
        itself for a value that a newer library version added."""
        try:
            return cls(value)
        except ValueError:
            return value

    def __str__(self):
        return self._c_name

    @classmethod
    def _description(cls):
        return cls.__name__.lower()


class Layer(_NamedEnum):
    """The origin of a policy source, from the most to the least
    authoritative, with the values of enum ag_layer.

    Every rule of every layer is checked. The layer decides which `mode:`
    wins, and a managed source with `allow_managed_rules_only: true` makes
    the allow rules of the other layers ignored.
    """

    MANAGED = (0, "managed")
    COMMAND_LINE = (1, "command_line")
    LOCAL_PROJECT = (2, "local_project")
    PROJECT = (3, "project")
    USER = (4, "user")

    def __new__(cls, value, c_name):
        member = object.__new__(cls)
        member._value_ = value
        member._c_name = c_name
        return member


class Mode(_NamedEnum):
    """A permission mode as Claude Code names it, with the values of enum
    ag_mode. A mode adjusts the decision the rules made."""

    DEFAULT = (0, "default")
    ACCEPT_EDITS = (1, "acceptEdits")
    PLAN = (2, "plan")
    DONT_ASK = (3, "dontAsk")
    BYPASS_PERMISSIONS = (4, "bypassPermissions")

    def __new__(cls, value, c_name):
        member = object.__new__(cls)
        member._value_ = value
        member._c_name = c_name
        return member

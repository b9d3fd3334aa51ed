"""Counted nouns in Norwegian, for text built in Python: «1 endring», «2 endringer».

Templates use `pluralize` («endring{{ n|pluralize:",er" }}»); this is the same rule where
the sentence is an f-string (messages, command output).
"""


def counted(count, singular, plural):
    """`count` and the noun that fits it: only exactly one is singular (0 endringer)."""
    return f"{count} {singular if count == 1 else plural}"

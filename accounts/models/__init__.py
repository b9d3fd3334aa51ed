"""The accounts app's models, one module per concern; import them from here.

``UserManager`` is named here too because migration 0001 refers to it as
``accounts.models.UserManager``.
"""

from accounts.models.audit import AuditEvent
from accounts.models.password_reset import PasswordReset
from accounts.models.users import Role, User, UserManager

__all__ = ["AuditEvent", "PasswordReset", "Role", "User", "UserManager"]

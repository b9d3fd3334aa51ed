"""The accounts app's models, one module per concern; import them from here.

``UserManager`` is named here too because migration 0001 refers to it as
``accounts.models.UserManager``.
"""

from accounts.models.audit import AuditEvent
from accounts.models.invitations import LastContact, RoleInvitation, role_give_up
from accounts.models.password_reset import PasswordReset
from accounts.models.users import Role, User, UserManager

__all__ = [
    "AuditEvent",
    "LastContact",
    "PasswordReset",
    "Role",
    "RoleInvitation",
    "User",
    "UserManager",
    "role_give_up",
]

"""Identity and accountability: who acts, what they may do, and the audit of what they did.

Owns:

- :mod:`~workbench.identity.policy`: the principal (account, organisation, roles, personal-data
  permission, purpose) and the one role x action matrix (``matrix.yaml``), enforced by :func:`require`
  in every library entry point;
- :mod:`~workbench.identity.accounts`: organisations and accounts (argon2id passwords, lockout, expiry,
  TOTP), access tokens, OIDC sign-in, and :func:`current_principal`, who acts in the CLI and notebooks.

May import: :mod:`workbench.store`, :mod:`workbench.format`, :mod:`workbench.config`,
:mod:`workbench.i18n`.
"""

from workbench.identity.accounts import (
    Credentials,
    SignInRefused,
    acting,
    authorise,
    current_principal,
    has_accounts,
    installation_principal,
    local_principal,
    sign_in,
)
from workbench.identity.policy import (
    ACTIONS,
    ROLES,
    PermissionDenied,
    Principal,
    Purpose,
    can,
    matrix_table,
    require,
    roles_with,
)

__all__ = [
    "ACTIONS",
    "Credentials",
    "SignInRefused",
    "acting",
    "authorise",
    "current_principal",
    "has_accounts",
    "installation_principal",
    "local_principal",
    "sign_in",
    "ROLES",
    "PermissionDenied",
    "Principal",
    "Purpose",
    "can",
    "matrix_table",
    "require",
    "roles_with",
]

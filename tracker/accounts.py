"""Managing accounts after they are made: role, name, disabling, and passwords.

Accounts are made by :func:`tracker.services.create_user`. Everything here records an
:class:`~tracker.models.AccountChange` (who changed whose account, when, what), because who may
change a council's record of actions is itself part of that record. Two guards keep the tracker
manageable: nobody disables their own account, and the last active admin stays an active admin.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from .errors import ValidationError
from .models import AccountChange, User, UserRole, utcnow
from .services import PASSWORD_MIN, USER_NAME_MAX, fetch


def get_account(session: Session, user_id: int) -> User:
    """The account with this id.

    :raise NotFoundError: there is none.
    """
    return fetch(session, User, user_id, "account")


def account_history(session: Session, user_id: int) -> list[AccountChange]:
    """The changes made to an account, oldest first, with their authors."""
    return list(
        session.scalars(
            select(AccountChange)
            .where(AccountChange.user_id == user_id)
            .options(joinedload(AccountChange.author))
            .order_by(AccountChange.id)
        )
    )


def update_account(
    session: Session, user_id: int, *, author: User, name: str, role: UserRole | str, active: bool
) -> User:
    """Change an account's name, role and whether it may sign in; record what changed.

    Disabling an account ends its sessions at their next request (see :mod:`tracker.auth`).

    :raise NotFoundError: no such account.
    :raise ValidationError: a blank or too long name, an unknown role, disabling one's own account,
        or leaving no active admin.
    """
    user = get_account(session, user_id)
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > USER_NAME_MAX:
        raise ValidationError(f"a name is required, of at most {USER_NAME_MAX} characters")
    try:
        new_role = UserRole(role)
    except ValueError:
        raise ValidationError(f"unknown role {role!r}; expected one of: member, staff, admin") from None
    if user.id == author.id and not active:
        raise ValidationError("you cannot disable your own account; ask another admin")
    losing_admin = (
        user.role is UserRole.ADMIN and user.active and (new_role is not UserRole.ADMIN or not active)
    )
    if losing_admin and _active_admins(session) <= 1:
        raise ValidationError("this is the only active admin account; make another admin first")
    changes = []
    if cleaned != user.name:
        changes.append(f"name: “{user.name}” → “{cleaned}”")
        user.name = cleaned
    if new_role is not user.role:
        changes.append(f"role: {user.role.value} → {new_role.value}")
        user.role = new_role
    if active != user.active:
        changes.append("enabled: may sign in again" if active else "disabled: may no longer sign in")
        user.active = active
    if changes:
        _record(session, user, author, "; ".join(changes))
    session.flush()
    return user


def reset_password(session: Session, user_id: int, *, author: User, password: str) -> User:
    """Give an account a new password (an admin's reset); every session of that account ends.

    :raise NotFoundError: no such account.
    :raise ValidationError: the password is shorter than :data:`~tracker.services.PASSWORD_MIN`.
    """
    user = get_account(session, user_id)
    _new_password(user, password)
    _record(session, user, author, "password reset by an admin; signed out everywhere")
    session.flush()
    return user


def change_own_password(session: Session, user: User, *, current: str, new: str) -> int:
    """Change one's own password after checking the current one; other sessions end.

    :return: the account's new session version, for the caller to keep this session signed in.
    :raise ValidationError: the current password is wrong, or the new one too short or unchanged.
    """
    if not user.check_password(current):
        raise ValidationError("the current password is not right")
    if new == current:
        raise ValidationError("the new password is the same as the current one")
    _new_password(user, new)
    _record(session, user, user, "password changed by its owner; other sessions signed out")
    session.flush()
    return user.session_version


def _new_password(user: User, password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise ValidationError(f"the password must have at least {PASSWORD_MIN} characters")
    user.set_password(password)
    user.session_version += 1


def _active_admins(session: Session) -> int:
    return (
        session.scalar(select(func.count(User.id)).where(User.role == UserRole.ADMIN, User.active.is_(True)))
        or 0
    )


def _record(session: Session, user: User, author: User, note: str) -> None:
    session.add(AccountChange(user=user, author=author, created_at=utcnow(), note=note))

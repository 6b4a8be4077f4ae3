"""Blueprint ``users``: accounts. Admins list, make and change them (role, name, disabled, password
reset); anyone signed in changes their own password. Every change is recorded (:mod:`tracker.accounts`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask import session as flask_session

from .. import accounts, services
from ..auth import login_required, role_required
from ..db import get_session
from ..errors import ValidationError
from ..models import UserRole

bp = Blueprint("users", __name__)


@bp.get("/users")
@role_required("admin")
def index() -> str:
    """Every account, and a form to make one."""
    return _page()


def _page(form: dict[str, str] | None = None, error: str | None = None) -> str:
    return render_template(
        "users/index.html",
        users=services.list_users(get_session()),
        roles=list(UserRole),
        form=form or {"role": UserRole.MEMBER.value},
        error=error,
    )


@bp.post("/users")
@role_required("admin")
def create() -> Any:
    """Make an account; a mistake keeps what was typed (except the password)."""
    form = {name: request.form.get(name, "") for name in ("email", "name", "role")}
    session = get_session()
    try:
        user = services.create_user(
            session,
            email=form["email"],
            name=form["name"],
            role=form["role"],
            password=request.form.get("password", ""),
        )
        session.commit()
    except ValidationError as err:
        session.rollback()
        return _page(form, _sentence(err.message)), 400
    flash(f"Made an account for {user.name} ({user.email}), role {user.role.value}.")
    return redirect(url_for(".index"))


@bp.get("/users/<int:user_id>")
@role_required("admin")
def edit(user_id: int) -> str:
    """One account: its name, role and state, a password reset, and the changes made to it."""
    return _account_page(user_id)


def _account_page(
    user_id: int,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    password_error: str | None = None,
) -> str:
    session = get_session()
    user = accounts.get_account(session, user_id)
    shown = form or {"name": user.name, "role": user.role.value, "active": "1" if user.active else ""}
    return render_template(
        "users/edit.html",
        user=user,
        history=accounts.account_history(session, user_id),
        roles=list(UserRole),
        form=shown,
        error=error,
        password_error=password_error,
    )


@bp.post("/users/<int:user_id>")
@role_required("admin")
def update(user_id: int) -> Any:
    """Save an account's name, role and state; a refusal keeps what was typed."""
    form = {name: request.form.get(name, "") for name in ("name", "role", "active")}
    session = get_session()
    try:
        user = accounts.update_account(
            session,
            user_id,
            author=g.user,
            name=form["name"],
            role=form["role"],
            active=form["active"] == "1",
        )
        session.commit()
    except ValidationError as err:
        session.rollback()
        return _account_page(user_id, form=form, error=_sentence(err.message)), 400
    flash(f"Saved the account of {user.name}.")
    return redirect(url_for(".edit", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
@role_required("admin")
def reset_password(user_id: int) -> Any:
    """Set a new password for someone who lost theirs; they are signed out everywhere."""
    session = get_session()
    try:
        user = accounts.reset_password(
            session, user_id, author=g.user, password=request.form.get("password", "")
        )
        session.commit()
    except ValidationError as err:
        session.rollback()
        return _account_page(user_id, password_error=_sentence(err.message)), 400
    if user.id == g.user.id:
        flask_session["session_version"] = user.session_version
    flash(f"Set a new password for {user.name}. Give it to them privately; they were signed out everywhere.")
    return redirect(url_for(".edit", user_id=user_id))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def own_password() -> Any:
    """Anyone signed in changes their own password; their other sessions end, this one stays."""
    error = None
    if request.method == "POST":
        session = get_session()
        try:
            version = accounts.change_own_password(
                session, g.user, current=request.form.get("current", ""), new=request.form.get("new", "")
            )
            session.commit()
        except ValidationError as err:
            session.rollback()
            error = _sentence(err.message)
        else:
            flask_session["session_version"] = version
            flash("Your password is changed. Any other place you were signed in has been signed out.")
            return redirect(url_for("actions.dashboard"))
    return render_template("users/password.html", error=error), (400 if error else 200)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")

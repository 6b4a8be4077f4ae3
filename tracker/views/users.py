"""Blueprint ``users``: the accounts, for admins only: list them and make new ones."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from .. import services
from ..auth import role_required
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
        message = err.message[:1].upper() + err.message[1:] + "."
        return _page(form, message), 400
    flash(f"Made an account for {user.name} ({user.email}), role {user.role.value}.")
    return redirect(url_for(".index"))

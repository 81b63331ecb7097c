from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehoach.core.errors import ApplicationError

from .forms import ApiTokenForm, LoginForm
from .tokens import token_create, token_get_for_user, token_revoke, tokens_of


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class AccountView(auth_views.PasswordChangeView):
    """The account page: change the password; personal access tokens for the API (issue 17)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("token_form", ApiTokenForm())
        context["api_tokens"] = list(tokens_of(user=self.request.user))
        return context


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its secret once, on this answer only (never stored, never
    redirected to: a reload does not show it again)."""
    form = ApiTokenForm(request.POST)
    context: dict[str, Any] = {"token_form": form}
    status = 200
    if form.is_valid():
        try:
            token, secret = token_create(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            context.update(token_form=ApiTokenForm(), new_token=token, new_secret=secret)
    if form.errors:
        status = 400
    view = AccountView()
    view.setup(request)
    password_form = view.get_form_class()(user=request.user)
    context = view.get_context_data(form=password_form, **context)
    response = render(request, AccountView.template_name, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    token = token_get_for_user(user=request.user, uid=uid)
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("The access token “%(name)s” is revoked.") % {"name": token.name})
    return redirect(f"{reverse('accounts:password_change')}#api-tokens")

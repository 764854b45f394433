from django.urls import path

from vigil.accounts.apis import (
    CsrfApi,
    LockoutLiftApi,
    LockoutListApi,
    LoginApi,
    LogoutApi,
    MeApi,
)

urlpatterns = [
    path("auth/csrf", CsrfApi.as_view(), name="auth-csrf"),
    path("auth/login", LoginApi.as_view(), name="auth-login"),
    path("auth/logout", LogoutApi.as_view(), name="auth-logout"),
    path("me", MeApi.as_view(), name="me"),
    path("sites/<slug:slug>/lockouts", LockoutListApi.as_view(), name="site-lockouts"),
    path(
        "sites/<slug:slug>/lockouts/<str:username>/lift",
        LockoutLiftApi.as_view(),
        name="site-lockout-lift",
    ),
]

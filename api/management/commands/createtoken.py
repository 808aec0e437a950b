"""`manage.py createtoken USERNAME [--create-user] [--expires-days N]`: print a new API token."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (it is stored only hashed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--create-user", action="store_true", help="create the user if absent")
        parser.add_argument(
            "--expires-days", type=int, default=None, metavar="N",
            help="the token stops working N days from now (default: never)",
        )

    def handle(
        self, *args, username: str, create_user: bool, expires_days: int | None, **options
    ) -> None:
        if expires_days is not None and expires_days <= 0:
            raise CommandError("--expires-days takes a whole number of days above 0.")
        users = get_user_model()
        try:
            user = users.objects.get(username=username)
        except users.DoesNotExist:
            if not create_user:
                raise CommandError(
                    f"No user {username!r}; add --create-user to create one."
                ) from None
            user = users.objects.create_user(username=username)
        expiry = timedelta(days=expires_days) if expires_days else None
        instance, token = AuthToken.objects.create(user=user, expiry=expiry)
        self.stdout.write(token)
        until = f" It expires {instance.expiry:%Y-%m-%d %H:%M} UTC." if instance.expiry else ""
        self.stderr.write(
            f"Token for {username}: send 'Authorization: Token <token>' to /api/v1/ "
            f"or 'Authorization: Bot <token>' to /api/v0/. It is not shown again.{until} "
            "Revoke it with DELETE /api/v1/tokens/current."
        )

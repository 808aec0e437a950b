"""`manage.py createtoken USERNAME [--create-user]`: print a new API token."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (it is stored only hashed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--create-user", action="store_true", help="create the user if absent")

    def handle(self, *args, username: str, create_user: bool, **options) -> None:
        users = get_user_model()
        try:
            user = users.objects.get(username=username)
        except users.DoesNotExist:
            if not create_user:
                raise CommandError(
                    f"No user {username!r}; add --create-user to create one."
                ) from None
            user = users.objects.create_user(username=username)
        _instance, token = AuthToken.objects.create(user=user, expiry=None)
        self.stdout.write(token)
        self.stderr.write(
            f"Token for {username}: send 'Authorization: Token <token>' to /api/v1/ "
            "or 'Authorization: Bot <token>' to /api/v0/. It is not shown again."
        )

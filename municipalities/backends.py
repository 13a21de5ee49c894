"""Signing in with a username and password, and nothing more: every permission is the
rules' (each app's rules.py), so a model permission stored on a user or a group grants
nothing."""

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

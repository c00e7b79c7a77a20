"""Accounts: sign-in with Argon2 passwords and TOTP, lockout, roles as data (kirok/data/roles.yaml)."""

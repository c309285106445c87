"""Accounts: roles bound to an institution, access policy, audit trail, optimistic locking, hardening."""

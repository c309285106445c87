"""Signals of the registry's workflows, for the apps that react to them (the inbox notifies the people
concerned), so that the registry need not know about them."""

from django.dispatch import Signal

#: A registry correction was accepted or rejected (``sender``: RegistryProposal; ``proposal``: the row as
#: decided). Sent inside the decision's transaction.
proposal_decided = Signal()

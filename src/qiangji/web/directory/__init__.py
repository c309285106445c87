"""The registry on the site's own pages: the public directory of institutions, each institution's page with
its sections and exports, and the correction proposals a county makes and the city decides.

A package of its own rather than part of the registry app because these pages apply the access policy
(`qiangji.web.accounts.policy`), which itself reads the registry's institutions: kept here, the registry
app imports nothing from accounts and the apps form no import cycle (tests/test_import_cycles.py).
"""

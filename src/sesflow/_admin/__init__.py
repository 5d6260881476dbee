"""Account administration beyond identities and sending: tenants, multi-region endpoints,
insights and exports, dedicated IPs.

Private: everything public is re-exported from `sesflow`. Each module holds one concept and
calls SES only through `SES._call`, so errors are translated in the one place.
"""

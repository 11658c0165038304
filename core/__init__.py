"""Pure domain of the 12345 hotline: work orders, SLA clocks, calls and KPIs.

Standard library only (enforced by import-linter). Adapters live in sibling packages.
"""

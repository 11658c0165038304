"""Transcript → work-order draft fields (phone, name, address, type, urgency …)."""

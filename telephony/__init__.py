"""Asterisk: AMI bridge (panoramisk in one module), AMI→domain translation, PBX simulator."""

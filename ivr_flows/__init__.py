"""IVR menus, business hours, diversion rules as validated data + the pure policy engine."""

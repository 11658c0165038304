"""FastAPI REST + WebSocket: agent desk, wallboard, transcript review, work-order lifecycle."""

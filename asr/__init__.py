"""Vosk speech recognition: AudioSocket server, recognizer pool, streaming sessions, batch, ITN."""

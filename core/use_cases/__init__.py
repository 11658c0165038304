"""Application layer: one use case per module. Each takes its repositories and ports through
its constructor (wired in ``hotline.bootstrap``); API handlers call exactly one of them."""

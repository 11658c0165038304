"""Demo seed data (Xi'an). Place names are public NBS facts, read from the gazetteer
(core/reference/divisions_xian.csv)."""

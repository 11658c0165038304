"""Demo seed data (Xi'an). Place names are public NBS facts (see xian_divisions.csv)."""

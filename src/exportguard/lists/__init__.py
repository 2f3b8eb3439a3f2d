"""Official sanctions and export-control party lists: parsers, snapshots, updates."""

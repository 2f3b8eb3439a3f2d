"""Policy as data: YAML rules, loading, validation with line numbers."""

"""One small function per policy rule."""

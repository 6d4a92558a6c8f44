"""One module per chapter, each registering that chapter's exercises (imported for their effect)."""

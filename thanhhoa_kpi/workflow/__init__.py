"""Workflow: data-defined, versioned approval chains (SPEC section 4)."""

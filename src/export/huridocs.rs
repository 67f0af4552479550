//! HURIDOCS mapping (placeholder).

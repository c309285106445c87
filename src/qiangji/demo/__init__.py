"""Deterministic synthetic Taizhou demo data (every name fictitious, marked （示例）)."""

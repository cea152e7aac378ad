"""Adapters: one per system-of-record technology, each implementing HR's ports."""
